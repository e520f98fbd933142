import type { MessageKey } from "./en";
import common from "./fr/common.json";
import petition from "./fr/petition.json";

export const fr: Record<MessageKey, string> = { ...common, ...petition };
