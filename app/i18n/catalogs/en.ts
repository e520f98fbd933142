// The source catalog: every key the code may use is a key here. One JSON file per part of the
// product, so parallel work on two parts never edits the same file.
import admin from "./en/admin.json";
import common from "./en/common.json";

export const en = { ...admin, ...common };
export type MessageKey = keyof typeof en;
