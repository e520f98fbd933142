import { Form, Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useIntl } from "react-intl";
import {
  deviceNotifications,
  followedOnThisDevice,
  followOnThisDevice,
  markReadOnThisDevice,
  publicNews,
} from "../browser/followed-petitions";
import { useFormat } from "../i18n/format";
import { type MessageKey, useT } from "../i18n/translate";
import { EMAIL_CADENCES, type EmailCadence, type PublicNewsItem } from "../vocabulary/notifications";

/** What the notification pages show of one piece of news, from the server's list or the public feed. */
export type NewsLine = {
  key: string;
  on: string | Date | null;
  words: { key: string; values?: Record<string, string | number | boolean> };
  petition: { slug: string; title: string };
  reasonKey: MessageKey;
  unread: boolean;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An event's words in the reader's language; a YYYY-MM-DD value is a UTC day. */
function useEventWords() {
  const intl = useIntl();
  const t = useT();
  const format = useFormat();
  return ({ key, values = {} }: NewsLine["words"]) =>
    Object.hasOwn(intl.messages, key)
      ? t(
          key as MessageKey,
          Object.fromEntries(
            Object.entries(values).map(([name, value]) => [
              name,
              typeof value === "string" && DAY.test(value) ? format.utcDay(`${value}T00:00:00Z`) : value,
            ]),
          ),
        )
      : key;
}

/** The list: each line with its day, petition, news and why the reader follows it; "Mark as read" per unread line. */
export function NotificationList({
  lines,
  onMarkRead,
}: {
  lines: NewsLine[];
  /** Device lines are marked in the browser; without it, a form posts to the server. */
  onMarkRead?: (key: string) => void;
}) {
  const t = useT();
  const format = useFormat();
  const said = useEventWords();
  return (
    <ul className="stack notification-list">
      {lines.map((line) => (
        <li key={line.key} className="card" data-unread={line.unread || undefined}>
          <p>
            {line.unread ? <span className="badge">{t("notifications.page.new")}</span> : null}{" "}
            <span className="muted">{format.utcDay(line.on)}</span>{" "}
            {/* A plain link: Remix would ask the server about a <Link>'s route, naming what this device
                follows; and no referrer, or the page load would say it came from this list. */}
            <a href={`/petitions/${line.petition.slug}`} rel="noreferrer">
              {line.petition.title}
            </a>
            : {said(line.words)}
          </p>
          <p className="muted">{t(line.reasonKey)}</p>
          {line.unread ? (
            onMarkRead ? (
              <button type="button" className="button-link" onClick={() => onMarkRead(line.key)}>
                {t("notifications.page.markRead")}
              </button>
            ) : (
              <Form method="post" action="/notifications" className="inline-form">
                <input type="hidden" name="intent" value="read" />
                <input type="hidden" name="key" value={line.key} />
                <button type="submit" className="button-link">
                  {t("notifications.page.markRead")}
                </button>
              </Form>
            )
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** Reads the public feed (as every browser does) and keeps this device's notifications from it. */
function useDeviceNews() {
  const [news, setNews] = useState<PublicNewsItem[] | null | "failed">(null);
  const [, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    publicNews().then(
      (items) => live && setNews(items),
      () => live && setNews("failed"),
    );
    const changed = () => setVersion((v) => v + 1);
    window.addEventListener("undersigned:follows", changed);
    return () => {
      live = false;
      window.removeEventListener("undersigned:follows", changed);
    };
  }, []);
  return news;
}

/** The header's link, with the unread count of the server's list and of this device's follows. */
export function HeaderNotificationsLink({ unread }: { unread: number }) {
  const t = useT();
  const news = useDeviceNews();
  const onDevice = Array.isArray(news) ? deviceNotifications(news).filter((n) => n.unread).length : 0;
  const count = unread + onDevice;
  return (
    <Link to="/notifications" className="header-notifications">
      {t("notifications.header.link")}
      {count ? (
        <>
          <span className="badge" aria-hidden="true">
            {count}
          </span>
          <span className="sr-only">{t("notifications.header.unread", { count })}</span>
        </>
      ) : null}
    </Link>
  );
}

/** The notifications page's part kept by this browser. */
export function DeviceNotifications() {
  const t = useT();
  const news = useDeviceNews();
  if (news === null) return <p className="muted">{t("notifications.device.loading")}</p>;
  if (news === "failed") return <p>{t("notifications.device.unavailable")}</p>;
  const lines = deviceNotifications(news).map((n) => ({
    key: n.key,
    on: n.on,
    words: n.words,
    petition: { slug: n.slug, title: n.title },
    reasonKey: "notifications.reason.device" as const,
    unread: n.unread,
  }));
  return (
    <>
      {lines.some((l) => l.unread) ? (
        <button
          type="button"
          onClick={() =>
            markReadOnThisDevice(
              lines.map((l) => l.key),
              news,
            )
          }
        >
          {t("notifications.page.markAllRead")}
        </button>
      ) : null}
      {lines.length ? (
        <NotificationList lines={lines} onMarkRead={(key) => markReadOnThisDevice([key], news)} />
      ) : (
        <p className="muted">
          {followedOnThisDevice().length ? t("notifications.page.empty") : t("notifications.device.empty")}
        </p>
      )}
    </>
  );
}

/** Whether this browser follows the petition on its own (kept current: signing anonymously follows it); null until the page runs. */
function useFollowedOnThisDevice(petitionId: number) {
  const [following, setFollowing] = useState<boolean | null>(null);
  useEffect(() => {
    const changed = () => setFollowing(followedOnThisDevice().includes(petitionId));
    changed();
    window.addEventListener("undersigned:follows", changed);
    return () => window.removeEventListener("undersigned:follows", changed);
  }, [petitionId]);
  return [following, setFollowing] as const;
}

/** "Follow on this device only": nothing is sent, this browser keeps it. Shown once the page runs. */
function DeviceFollowButton({
  petitionId,
  following,
  onChange,
}: {
  petitionId: number;
  following: boolean | null;
  onChange: (following: boolean) => void;
}) {
  const t = useT();
  if (following === null) return null;
  return (
    <div className="stack">
      <button
        type="button"
        className="secondary"
        aria-pressed={following}
        onClick={() => {
          followOnThisDevice(petitionId, !following);
          onChange(!following);
        }}
      >
        {t(following ? "notifications.follow.onDeviceStop" : "notifications.follow.onDevice")}
      </button>
      <p className="muted">{t("notifications.follow.onDeviceHint")}</p>
    </div>
  );
}

/** Following by name, for a signed-in reader: a form to /notifications. */
export function FollowForm({ petitionId, following }: { petitionId: number; following: boolean }) {
  const t = useT();
  return (
    <Form method="post" action="/notifications" className="stack">
      <input type="hidden" name="intent" value="follow" />
      <input type="hidden" name="petitionId" value={petitionId} />
      <input type="hidden" name="follow" value={following ? "no" : "yes"} />
      <button type="submit" className="secondary">
        {t(following ? "notifications.follow.unfollow" : "notifications.follow.follow")}
      </button>
      {following ? null : <p className="muted">{t("notifications.follow.followHint")}</p>}
    </Form>
  );
}

const CADENCE_LABELS = {
  each: "notifications.settings.each",
  daily: "notifications.settings.daily",
  weekly: "notifications.settings.weekly",
} as const satisfies Record<EmailCadence, MessageKey>;

/** Settings: how often news of what one follows comes by email. */
export function CadenceForm({ cadence }: { cadence: EmailCadence }) {
  const t = useT();
  return (
    <Form method="post" action="/notifications" className="card stack" id="notifications">
      <h2>{t("notifications.settings.heading")}</h2>
      <p>{t("notifications.settings.intro")}</p>
      <input type="hidden" name="intent" value="cadence" />
      <fieldset>
        <legend className="sr-only">{t("notifications.settings.heading")}</legend>
        {EMAIL_CADENCES.map((value) => (
          <div className="radio" key={value}>
            <input
              type="radio"
              id={`cadence-${value}`}
              name="cadence"
              value={value}
              defaultChecked={value === cadence}
            />
            <label htmlFor={`cadence-${value}`}>{t(CADENCE_LABELS[value])}</label>
          </div>
        ))}
      </fieldset>
      <button type="submit">{t("notifications.settings.save")}</button>
    </Form>
  );
}

/** The petition page's follow choices: by name (signed in), or on this device only (anyone, nothing sent). */
export function FollowPanel(props: { petitionId: number; signedIn: boolean; following: boolean }) {
  const [onDevice, setOnDevice] = useFollowedOnThisDevice(props.petitionId);
  // A browser that follows it on its own (an anonymous signature does) is not offered to follow by
  // name: that named request, seconds after an anonymous act, would join the two. Decided here in
  // the browser, so the page the server sends is the same for everyone.
  const offerByName = props.signedIn && (props.following || !onDevice);
  return (
    <section className="card stack">
      {offerByName ? <FollowForm petitionId={props.petitionId} following={props.following} /> : null}
      <DeviceFollowButton petitionId={props.petitionId} following={onDevice} onChange={setOnDevice} />
    </section>
  );
}
