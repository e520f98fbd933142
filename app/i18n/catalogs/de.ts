import admin from "./de/admin.json";
import chat from "./de/chat.json";
import common from "./de/common.json";
import discussion from "./de/discussion.json";
import identity from "./de/identity.json";
import myData from "./de/my-data.json";
import notifications from "./de/notifications.json";
import petition from "./de/petition.json";
import policies from "./de/policies.json";
import server from "./de/server.json";
import sharing from "./de/sharing.json";
import signing from "./de/signing.json";
import type { MessageKey } from "./en";

export const de: Record<MessageKey, string> = {
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
