// The source catalog: every key the code may use is a key here. One JSON file per part of the
// product, so parallel work on two parts never edits the same file.
import common from "./en/common.json";
import server from "./en/server.json";

export const en = { ...common, ...server };
export type MessageKey = keyof typeof en;
