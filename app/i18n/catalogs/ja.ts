import type { MessageKey } from "./en";
import common from "./ja/common.json";
import identity from "./ja/identity.json";

export const ja: Record<MessageKey, string> = { ...common, ...identity };
