import common from "./de/common.json";
import discussion from "./de/discussion.json";
import identity from "./de/identity.json";
import policies from "./de/policies.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...discussion, ...identity, ...policies };
