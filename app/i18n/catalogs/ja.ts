import type { MessageKey } from "./en";
import admin from "./ja/admin.json";
import common from "./ja/common.json";

export const ja: Record<MessageKey, string> = { ...admin, ...common };
