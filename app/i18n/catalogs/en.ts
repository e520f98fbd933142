// The source catalog: every key the code may use is a key here. One JSON file per part of the
// product, so parallel work on two parts never edits the same file.
import admin from "./en/admin.json";
import common from "./en/common.json";
import discussion from "./en/discussion.json";
import identity from "./en/identity.json";
import notifications from "./en/notifications.json";
import petition from "./en/petition.json";
import policies from "./en/policies.json";
import server from "./en/server.json";
import signing from "./en/signing.json";

export const en = {
  ...admin,
  ...common,
  ...discussion,
  ...identity,
  ...notifications,
  ...petition,
  ...policies,
  ...server,
  ...signing,
};
export type MessageKey = keyof typeof en;
