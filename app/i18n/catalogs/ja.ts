import type { MessageKey } from "./en";
import common from "./ja/common.json";
import signing from "./ja/signing.json";

export const ja: Record<MessageKey, string> = { ...common, ...signing };
