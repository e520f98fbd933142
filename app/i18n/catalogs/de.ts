import common from "./de/common.json";
import server from "./de/server.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = { ...common, ...server };
