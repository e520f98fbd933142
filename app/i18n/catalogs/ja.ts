import type { MessageKey } from "./en";
import common from "./ja/common.json";
import petition from "./ja/petition.json";

export const ja: Record<MessageKey, string> = { ...common, ...petition };
