import common from "./de/common.json";
import discussion from "./de/discussion.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...discussion };
