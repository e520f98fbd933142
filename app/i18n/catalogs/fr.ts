import type { MessageKey } from "./en";
import common from "./fr/common.json";
import identity from "./fr/identity.json";

export const fr: Record<MessageKey, string> = { ...common, ...identity };
