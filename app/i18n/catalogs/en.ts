// The source catalog: every key the code may use is a key here. One JSON file per part of the
// product, so parallel work on two parts never edits the same file.
import common from "./en/common.json";
import signing from "./en/signing.json";

export const en = { ...common, ...signing };
export type MessageKey = keyof typeof en;
