import common from "./de/common.json";
import signing from "./de/signing.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...signing };
