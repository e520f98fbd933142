import type { MessageKey } from "./en";
import common from "./ja/common.json";

export const ja: Record<MessageKey, string> = { ...common };
