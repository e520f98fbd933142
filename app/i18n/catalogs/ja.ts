import type { MessageKey } from "./en";
import admin from "./ja/admin.json";
import chat from "./ja/chat.json";
import common from "./ja/common.json";
import discussion from "./ja/discussion.json";
import identity from "./ja/identity.json";
import myData from "./ja/my-data.json";
import notifications from "./ja/notifications.json";
import petition from "./ja/petition.json";
import policies from "./ja/policies.json";
import server from "./ja/server.json";
import sharing from "./ja/sharing.json";
import signing from "./ja/signing.json";

export const ja: Record<MessageKey, string> = {
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
