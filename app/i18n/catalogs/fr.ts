import type { MessageKey } from "./en";
import admin from "./fr/admin.json";
import chat from "./fr/chat.json";
import common from "./fr/common.json";
import discussion from "./fr/discussion.json";
import identity from "./fr/identity.json";
import myData from "./fr/my-data.json";
import notifications from "./fr/notifications.json";
import petition from "./fr/petition.json";
import policies from "./fr/policies.json";
import server from "./fr/server.json";
import sharing from "./fr/sharing.json";
import signing from "./fr/signing.json";

export const fr: Record<MessageKey, string> = {
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
