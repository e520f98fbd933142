import type { MessageKey } from "./en";
import admin from "./fr/admin.json";
import common from "./fr/common.json";

export const fr: Record<MessageKey, string> = { ...admin, ...common };
