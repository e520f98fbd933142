import common from "./de/common.json";
import identity from "./de/identity.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...identity };
