import common from "./de/common.json";
import petition from "./de/petition.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...petition };
