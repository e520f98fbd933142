import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { useIntl } from "react-intl";
import type { z } from "zod";
import { petitionRefusalWords, unconfirmedKeyWords } from "../../browser/wallet/log-check";
import type { signSchema } from "../../domain/petitions/forms";
import { useFormat } from "../../i18n/format";
import { translatorOf, useT } from "../../i18n/translate";
import { wordsOf } from "../../platform/said";
import {
  AnonymousReceipt,
  type AnonymousSigning,
  type PetitionKey,
  useProgressLine,
} from "../anonymous-signing";
import { FieldErrors, FormErrors, PageActionButton, TextareaField, useActionResultFor } from "../forms";
import { useHydrated } from "../use-hydrated";
import { useLazyValidation } from "../validation";
import { AnonymityChoice, HowAnonymousSigningWorks } from "./anonymity-choice";

/**
 * The petition page's signing panel: the person's own signature (public, from the server; anonymous,
 * from this device and the public digest) and the form. Public signing is never refused: with this
 * device's anonymous signature it spends it; without it (no JavaScript, or a device not set up) the
 * form asks whether they already signed anonymously elsewhere.
 */
export type OwnSignature = { visibility: string; seq: number; hash: string; invalidated: boolean } | null;

/** The sign box's id: the phone's Sign bar links to it, so the anchor works without JavaScript. */
export const SIGN_BOX_ID = "sign-box";

export function SignPanel({
  petition,
  anonymity,
  signing,
  ownSignature,
  isOpen,
  signedIn,
  witnesses,
}: {
  petition: { id: number; slug: string; title: string };
  anonymity: PetitionKey;
  /** The page's useAnonymousSigning: the page also hides its Sign bar once this device has signed. */
  signing: AnonymousSigning;
  ownSignature: OwnSignature;
  isOpen: boolean;
  signedIn: boolean;
  /** The independent witnesses the public log requires (their names). */
  witnesses: string[];
}) {
  const t = useT();
  const showsSignForm = isOpen && !ownSignature && signedIn && !signing.signedAnonymously;
  return (
    <>
      {isOpen && ownSignature ? <PublicReceipt slug={petition.slug} ownSignature={ownSignature} /> : null}
      <AnonymousReceipt signing={signing} />
      {showsSignForm ? (
        <SignForm petition={petition} anonymity={anonymity} signing={signing} witnesses={witnesses} />
      ) : null}
      {isOpen && !signedIn ? (
        <p className="card" id={SIGN_BOX_ID}>
          {t.rich("signing.signInToSign", {
            link: (chunks) => <Link to={signInToSign(petition.slug)}>{chunks}</Link>,
          })}
        </p>
      ) : null}
    </>
  );
}

/** Where "Sign in to sign" goes: back to the sign box after signing in. */
export const signInToSign = (slug: string) =>
  `/sign-in?${new URLSearchParams({ redirectTo: `/petitions/${slug}` })}`;

/** The ledger receipt in words; its number and hash are behind "How to check it", for who verifies. */
function PublicReceipt({ slug, ownSignature }: { slug: string; ownSignature: NonNullable<OwnSignature> }) {
  const t = useT();
  const format = useFormat();
  return (
    <section className="card receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">{t("signing.receipt.title", { visibility: ownSignature.visibility })}</h2>
      {ownSignature.visibility === "anonymous" ? (
        <p className="hint">{t("signing.receipt.legacyAnonymous")}</p>
      ) : null}
      {ownSignature.invalidated ? (
        <p className="flash flash-error">{t("signing.receipt.invalidated")}</p>
      ) : null}
      <p>{t("signing.receipt.entry", { position: format.ordinal(ownSignature.seq) })}</p>
      <details className="read-more">
        <summary>{t("signing.receipt.howToCheck")}</summary>
        <p>
          {t.rich("signing.receipt.howToCheckText", {
            seq: String(ownSignature.seq),
            ledger: (chunks) => <a href={`/api/petitions/${slug}/ledger`}>{chunks}</a>,
            hash: <code>{ownSignature.hash}</code>,
            log: (chunks) => <a href="/transparency">{chunks}</a>,
            command: <code>npm run cli -- verify-ledger</code>,
          })}
        </p>
      </details>
      {ownSignature.invalidated ? null : (
        <PageActionButton intent="withdraw" label={t("signing.receipt.withdraw")} className="danger" />
      )}
    </section>
  );
}

function SignForm({
  petition,
  anonymity,
  signing,
  witnesses,
}: {
  petition: { id: number; slug: string; title: string };
  anonymity: PetitionKey;
  signing: AnonymousSigning;
  witnesses: string[];
}) {
  const intl = useIntl();
  const t = translatorOf(intl);
  const progressLine = useProgressLine();
  const hydrated = useHydrated();
  const [visibility, setVisibility] = useState<"public" | "anonymous">("public");
  const [localError, setLocalError] = useState<string | null>(null);
  // This device's own signature is spent on a public one; without it the form asks the question.
  const asksElsewhere = !signing.holdsUnspent;
  const anonymousPossible = signing.available && anonymity !== null;
  const [signForm, signFields] = useForm<z.input<typeof signSchema>>({
    id: "sign",
    lastResult: useActionResultFor("sign"),
    onSubmit(event, { formData }) {
      setLocalError(null);
      // Anonymous signatures never reach the page's action: the device redeems its own.
      if (formData.get("visibility") === "anonymous" && anonymousPossible) {
        event.preventDefault();
        signing.sign(String(formData.get("reason") ?? "").trim() || null);
        return;
      }
      const form = event.currentTarget;
      const tokenField = form.elements.namedItem("tokenMessage");
      if (!(tokenField instanceof HTMLInputElement) || tokenField.dataset.ready === "yes") return;
      event.preventDefault();
      void signing.preparePublic().then((token) => {
        const signatureField = form.elements.namedItem("tokenSignature");
        if (token && signatureField instanceof HTMLInputElement) {
          tokenField.value = token.message;
          signatureField.value = token.signature;
        } else if (formData.get("noAnonymousSignature") !== "on") {
          setLocalError(t("signing.form.notElsewhere"));
          return;
        }
        tokenField.dataset.ready = "yes";
        form.requestSubmit(event.nativeEvent instanceof SubmitEvent ? event.nativeEvent.submitter : null);
      });
    },
    defaultValue: { visibility: "public" },
    onValidate: useLazyValidation("sign", true),
  });
  const refused = signing.entry?.refused;
  const progress = signing.paused ? null : progressLine(signing.progress);
  const refusedWords =
    refused?.reason === "issued-otherwise" ||
    refused?.reason === "not-in-log" ||
    refused?.reason === "key-changed"
      ? petitionRefusalWords(refused)
      : undefined;
  const lastingRefusal = refusedWords ? wordsOf(refusedWords, intl) : null;
  // A signature this device holds whose key the public log has not confirmed yet: kept, not spent.
  const held = signing.entry;
  const unconfirmedWords =
    !lastingRefusal && held?.token && held.status === "unused" ? unconfirmedKeyWords(held) : undefined;
  const unconfirmed = unconfirmedWords ? wordsOf(unconfirmedWords, intl) : null;
  return (
    <section className="card sign-box" id={SIGN_BOX_ID} aria-labelledby="sign-title">
      <h2 id="sign-title">{t("signing.form.title")}</h2>
      <Form method="post" {...getFormProps(signForm)}>
        <FormErrors id={signForm.errorId} errors={signForm.errors} />
        {signing.error || localError ? (
          <p className="flash flash-error" role="alert">
            {signing.error ?? localError}
          </p>
        ) : null}
        {progress ? (
          <p role="status" className="progress-line">
            {progress}
          </p>
        ) : null}
        {signing.paused && anonymity ? (
          <p role="status" className="flash flash-info">
            {signing.paused}
          </p>
        ) : null}
        <AnonymityChoice
          slug={petition.slug}
          anonymity={anonymity}
          hydrated={hydrated}
          available={signing.available}
          hasWallet={signing.hasWallet}
          lastingRefusal={lastingRefusal}
          unconfirmed={unconfirmed}
          onChange={setVisibility}
        />
        {/* Filled in by the browser just before a public signature is sent. */}
        <input type="hidden" name="tokenMessage" defaultValue="" />
        <input type="hidden" name="tokenSignature" defaultValue="" />
        {/* Asked of a public signature sent without this device's anonymous signature (no JavaScript,
            or a device not set up for anonymous signing); the server requires it then. */}
        {asksElsewhere && visibility === "public" ? (
          <div className="checkbox">
            <input
              type="checkbox"
              id="noAnonymousSignature"
              name="noAnonymousSignature"
              value="on"
              required
              aria-invalid={signFields.noAnonymousSignature.errors ? true : undefined}
              aria-describedby={
                signFields.noAnonymousSignature.errors ? signFields.noAnonymousSignature.errorId : undefined
              }
            />
            <label htmlFor="noAnonymousSignature">{t("signing.form.notElsewhereLabel")}</label>
            <FieldErrors
              id={signFields.noAnonymousSignature.errorId}
              errors={signFields.noAnonymousSignature.errors}
            />
          </div>
        ) : null}
        {/* What a signature may carry besides: one click away, open when its field has an error. */}
        <details className="read-more" open={signFields.reason.errors ? true : undefined}>
          <summary>{t("signing.form.more")}</summary>
          <TextareaField
            label={t("signing.form.reason")}
            hint={t("signing.form.reasonHint")}
            field={signFields.reason}
            rows={3}
          />
          <div className="checkbox">
            <input
              type="checkbox"
              id="wantsUpdates"
              name="wantsUpdates"
              value="on"
              aria-describedby="signer-emails-hint"
            />
            <label htmlFor="wantsUpdates">{t("signing.form.wantsUpdates")}</label>
          </div>
          {/* Honest about what signing sends: updates and responses reach every public signer unless turned off. */}
          <p id="signer-emails-hint" className="hint">
            {t.rich("signing.form.emailsHint", { link: (chunks) => <Link to="/settings">{chunks}</Link> })}
          </p>
        </details>
        <button type="submit" name="intent" value="sign" disabled={signing.busy !== null}>
          {signing.busy ?? t("signing.form.sign")}
        </button>
        <HowAnonymousSigningWorks slug={petition.slug} anonymity={anonymity} witnesses={witnesses} />
      </Form>
    </section>
  );
}
