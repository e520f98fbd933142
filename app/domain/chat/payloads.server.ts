import type { ChatKind } from "../../vocabulary/chat";

/**
 * A chat message in each platform's documented format (ADR 0042): Slack Block Kit (a header, a
 * section, a button, and `text` as the notification's fallback) and, for Teams Workflows, a message
 * whose one attachment is an Adaptive Card 1.4. Written by hand: two small shapes, checked in the tests
 * against `@slack/types` and the `adaptivecards` parser.
 */
export type ChatMessage = { heading: string; text: string; link: { label: string; url: string } };

/** Slack's documented limits: header text 150 characters, section text 3,000, button text 75. */
export const SLACK_LIMITS = { header: 150, section: 3000, button: 75, blocks: 50 } as const;

const cut = (text: string, max: number) =>
  [...text].length <= max ? text : `${[...text].slice(0, max - 1).join("")}…`;

/**
 * Slack reads `&`, `<` and `>` in text as markup: a petition titled "<!channel>" would otherwise ping
 * the whole channel. Escaped as Slack documents ("Escaping text").
 */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackPayload(message: ChatMessage) {
  return {
    text: cut(slackEscape(`${message.heading} — ${message.text}`), SLACK_LIMITS.section),
    blocks: [
      {
        type: "header" as const,
        text: { type: "plain_text" as const, text: cut(message.heading, SLACK_LIMITS.header) },
      },
      {
        type: "section" as const,
        text: { type: "mrkdwn" as const, text: cut(slackEscape(message.text), SLACK_LIMITS.section) },
      },
      {
        type: "actions" as const,
        elements: [
          {
            type: "button" as const,
            text: { type: "plain_text" as const, text: cut(message.link.label, SLACK_LIMITS.button) },
            url: message.link.url,
          },
        ],
      },
    ],
  };
}

/**
 * Teams renders a TextBlock's text as Markdown (a subset: links, emphasis, lists): a petition titled
 * "[Confirm your account](https://evil.example)" would become a link whose target is hidden. Every
 * Markdown punctuation character is backslash-escaped (CommonMark's escapes), so colleagues' words
 * show as typed.
 */
const teamsEscape = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|~<>&]/g, "\\$&");

export function teamsPayload(message: ChatMessage) {
  return {
    type: "message" as const,
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive" as const,
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard" as const,
          version: "1.4",
          body: [
            {
              type: "TextBlock" as const,
              text: teamsEscape(message.heading),
              weight: "Bolder",
              size: "Medium",
              wrap: true,
            },
            { type: "TextBlock" as const, text: teamsEscape(message.text), wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl" as const, title: message.link.label, url: message.link.url }],
        },
      },
    ],
  };
}

export const payloadFor = (kind: ChatKind, message: ChatMessage): string =>
  JSON.stringify(kind === "slack" ? slackPayload(message) : teamsPayload(message));
