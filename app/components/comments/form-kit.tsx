import { type DefaultValue, getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { useActionData, useFetcher, useLocation, useNavigate } from "@remix-run/react";
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from "react";
import type { z } from "zod";
import { COMMENT_MAX_LENGTH, type CommentFormName } from "../../domain/discussion/limits";
import type { CommentView } from "../../domain/discussion/thread.server";
import { useT } from "../../i18n/translate";
import { FormErrors, TextareaField } from "../forms";
import { useSaid } from "../said";
import { useHydrated } from "../use-hydrated";
import { type SchemaName, useLazyValidation } from "../validation";
import type { SCHEMAS } from "../validation-schemas";

/**
 * Comment threads. Every control is a plain form that works without JavaScript (the action
 * redirects back with a flash message); once hydrated, the same forms post through fetchers, add a
 * `_fetcher` field so the action answers with data instead of a redirect, and Remix revalidates the
 * page in place.
 */

// Dates arrive from loaders as numbers (milliseconds).
type Serialized<T> = T extends Date ? string : T;
export type View = { [K in keyof CommentView]: Serialized<CommentView[K]> };

function useReturnTo(): string {
  const location = useLocation();
  return `${location.pathname}${location.search}`;
}

/** The hidden fields every comment form carries. */
function CommonFields({ intent }: { intent: string }) {
  const hydrated = useHydrated();
  const returnTo = useReturnTo();
  return (
    <>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="returnTo" value={returnTo} />
      {hydrated ? <input type="hidden" name="_fetcher" value="1" /> : null}
    </>
  );
}

/** A comment action's answer to a fetcher: conform's result, and on success `done` and where to go. */
type ActionResult = SubmissionResult<string[]> & { done?: true; location?: string | null };

const intentOf = (result: ActionResult | undefined) => result?.initialValue?.intent;

/** Intents whose forms are only a button: a refusal without JavaScript is shown at the top of the page. */
const BUTTON_INTENTS = new Set(["vote", "delete", "restore", "dismiss", "unlock"]);

/** Errors of a refused button form, for pages that receive plain-form posts (no JavaScript). */
export function RefusedButtonErrors() {
  const result = useActionData<ActionResult>();
  const intent = intentOf(result);
  if (typeof intent !== "string" || !BUTTON_INTENTS.has(intent)) return null;
  return <FormErrors errors={result?.error?.[""] ?? undefined} />;
}

/**
 * A comment form with fields validated by zod (client and server) through conform; in the browser
 * its schema loads once a form is on the screen (components/validation.ts).
 */
export function ValidatedForm<Name extends SchemaName>({
  id,
  action,
  intent,
  schema,
  submitLabel,
  submitClass,
  onDone,
  defaultValue,
  acceptPageResult = false,
  children,
}: {
  id: string;
  /** Show the page's own action result (a refused plain-form post to the page this form is on). */
  acceptPageResult?: boolean;
  defaultValue?: DefaultValue<z.input<(typeof SCHEMAS)[Name]>>;
  action: string;
  intent: string;
  schema: Name;
  submitLabel: string;
  submitClass?: string;
  onDone?: () => void;
  children: (
    fields: ReturnType<typeof useForm<z.input<(typeof SCHEMAS)[Name]>, z.output<(typeof SCHEMAS)[Name]>>>[1],
  ) => ReactNode;
}) {
  const onValidate = useLazyValidation(schema);
  const fetcher = useFetcher<ActionResult>();
  const disclosure = useContext(InDisclosure);
  const pageResult = useActionData<ActionResult>();
  const [form, fields] = useForm<z.input<(typeof SCHEMAS)[Name]>, z.output<(typeof SCHEMAS)[Name]>>({
    id,
    defaultValue,
    lastResult:
      fetcher.state !== "idle"
        ? undefined
        : (fetcher.data ??
          ((acceptPageResult || disclosure?.openedByPage) && intentOf(pageResult) === intent
            ? pageResult
            : undefined)),
    onValidate,
    shouldRevalidate: "onBlur",
  });
  const navigate = useNavigate();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  // Each result is acted on once (the callbacks change on every render).
  const handled = useRef<ActionResult | undefined>(undefined);
  useEffect(() => {
    if (!result?.done || handled.current === result) return;
    handled.current = result;
    onDone?.();
    // Where the new comment shows (the newest sort, or its parent's page).
    if (result.location) navigate(result.location);
  }, [result, onDone, navigate]);
  return (
    <fetcher.Form
      method="post"
      action={disclosure ? `${action}?form=${disclosure.name}` : action}
      className="stack comment-form"
      {...getFormProps(form)}
    >
      <CommonFields intent={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      {children(fields)}
      <div className="row">
        <button type="submit" className={submitClass} disabled={fetcher.state !== "idle"}>
          {submitLabel}
        </button>
      </div>
    </fetcher.Form>
  );
}

/**
 * A form that is only a button (vote, delete, restore…), posted through a fetcher to a comment's or
 * a discussion's action; its refusal shows beside it.
 */
export function FetcherButton({
  action,
  intent,
  label,
  className = "secondary",
  extra,
  pressed,
}: {
  action: string;
  intent: string;
  label: ReactNode;
  className?: string;
  extra?: Record<string, string>;
  pressed?: boolean;
}) {
  const fetcher = useFetcher<ActionResult>();
  const said = useSaid();
  const errors = fetcher.state === "idle" ? fetcher.data?.error?.[""] : undefined;
  return (
    <fetcher.Form method="post" action={action} className="inline-form">
      <CommonFields intent={intent} />
      {Object.entries(extra ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-pressed={pressed} disabled={fetcher.state !== "idle"}>
        {label}
      </button>
      {errors?.length ? (
        <span role="alert" className="field-errors">
          {errors.map(said).join(" ")}
        </span>
      ) : null}
    </fetcher.Form>
  );
}

/**
 * The disclosure a form sits in. Its form posts to `?form=NAME`, so a refusal without JavaScript
 * lands on the comment's page with that form open, showing the errors from the page's action data.
 */
const InDisclosure = createContext<{ name: CommentFormName; openedByPage: boolean } | null>(null);

/** Which comment form the comment's own page opens (`/comments/12?form=reply`), for visitors without JavaScript. */
export const OpenCommentForm = createContext<{ commentId: number; form: CommentFormName } | null>(null);

/**
 * A comment's form behind a toggle. The forms are not rendered until opened (a page of comments stays
 * light to render): with JavaScript the toggle opens the form in place; without, it is a link to the
 * comment's own page with that form open.
 */
export function Disclosure({
  commentId,
  name,
  summary,
  asButton = false,
  children,
}: {
  commentId: number;
  name: CommentFormName;
  summary: string;
  /**
   * Shown as a button, beside the button-only forms it goes with (a moderator's Hide beside Restore
   * and Dismiss): a real toggle button once hydrated, a link that looks like one before.
   */
  asButton?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  const requested = useContext(OpenCommentForm);
  const openedByPage = requested?.commentId === commentId && requested.form === name;
  const [open, setOpen] = useState(openedByPage);
  const hydrated = useHydrated();
  return (
    <div className={open ? "comment-disclosure open" : "comment-disclosure"}>
      {asButton && hydrated ? (
        <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
          {summary}
        </button>
      ) : (
        <a
          href={`/comments/${commentId}?form=${name}#comment-${commentId}`}
          className={asButton ? "button secondary" : undefined}
          aria-expanded={open}
          onClick={(event) => {
            event.preventDefault();
            setOpen(!open);
          }}
        >
          {summary}
        </a>
      )}
      {open ? (
        <InDisclosure.Provider value={{ name, openedByPage }}>
          {children(() => setOpen(false))}
        </InDisclosure.Provider>
      ) : null}
    </div>
  );
}

export function BodyField({
  field,
  label,
}: {
  field: Parameters<typeof TextareaField>[0]["field"];
  label: string;
}) {
  const t = useT();
  return (
    <TextareaField
      label={label}
      field={field}
      hint={t("discussion.form.bodyHint", { max: COMMENT_MAX_LENGTH })}
      rows={4}
    />
  );
}

export function AnonymousChoice({ id, days }: { id: string; days: number }) {
  const t = useT();
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name="anonymous" value="on" aria-describedby={`${id}-hint`} />
      <label htmlFor={id}>{t("discussion.form.anonymous")}</label>
      <p id={`${id}-hint`} className="hint">
        {t("discussion.form.anonymousHint", { days })}
      </p>
    </div>
  );
}

/** Reply emails for an anonymous comment: off unless asked for, and why (issue 17). */
export function AnonymousEmailsChoice({ id }: { id: string }) {
  const t = useT();
  return (
    <div className="checkbox">
      <input
        type="checkbox"
        id={`${id}-emails`}
        name="emailReplies"
        value="on"
        aria-describedby={`${id}-emails-hint`}
      />
      <label htmlFor={`${id}-emails`}>{t("discussion.form.anonymousEmails")}</label>
      <p id={`${id}-emails-hint`} className="hint">
        {t("discussion.form.anonymousEmailsHint")}
      </p>
    </div>
  );
}
