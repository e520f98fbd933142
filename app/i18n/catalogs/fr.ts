import type { MessageKey } from "./en";
import common from "./fr/common.json";

export const fr: Record<MessageKey, string> = { ...common };
