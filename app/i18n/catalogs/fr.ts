import type { MessageKey } from "./en";
import common from "./fr/common.json";
import signing from "./fr/signing.json";

export const fr: Record<MessageKey, string> = { ...common, ...signing };
