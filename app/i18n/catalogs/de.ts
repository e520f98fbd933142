import admin from "./de/admin.json";
import common from "./de/common.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...admin, ...common };
