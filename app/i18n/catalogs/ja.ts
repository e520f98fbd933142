import type { MessageKey } from "./en";
import common from "./ja/common.json";
import server from "./ja/server.json";

export const ja: Record<MessageKey, string> = { ...common, ...server };
