// The source catalog: every key the code may use is a key here. One JSON file per part of the
// product, so parallel work on two parts never edits the same file.
import admin from "./en/admin.json";
import chat from "./en/chat.json";
import common from "./en/common.json";
import discussion from "./en/discussion.json";
import identity from "./en/identity.json";
import myData from "./en/my-data.json";
import notifications from "./en/notifications.json";
import petition from "./en/petition.json";
import policies from "./en/policies.json";
import server from "./en/server.json";
import sharing from "./en/sharing.json";
import signing from "./en/signing.json";

export const en = {
  ...admin,
  ...chat,
  ...common,
  ...discussion,
  ...identity,
  ...myData,
  ...notifications,
  ...petition,
  ...policies,
  ...server,
  ...sharing,
  ...signing,
};
export type MessageKey = keyof typeof en;
