import type { MessageKey } from "./en";
import common from "./fr/common.json";
import server from "./fr/server.json";

export const fr: Record<MessageKey, string> = { ...common, ...server };
