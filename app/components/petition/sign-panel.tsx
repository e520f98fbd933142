import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import type { z } from "zod";
import { unconfirmedKey } from "../../browser/wallet/log-check";
import type { signSchema } from "../../domain/petitions/forms";
import {
  AnonymousReceipt,
  type AnonymousSigning,
  issuedOtherwise,
  type PetitionKey,
  progressLine,
} from "../anonymous-signing";
import { ordinal } from "../format";
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
          <Link to={signInToSign(petition.slug)}>Sign in</Link> to sign this petition.
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
  return (
    <section className="card receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">
        You signed {ownSignature.visibility === "anonymous" ? "anonymously" : "publicly"}
      </h2>
      {ownSignature.visibility === "anonymous" ? (
        <p className="hint">
          Signed before anonymous signatures became unlinkable: hidden from every page, and your name is
          forgotten from it when the petition closes.
        </p>
      ) : null}
      {ownSignature.invalidated ? (
        <p className="flash flash-error">A moderator invalidated this signature.</p>
      ) : null}
      <p>
        Your signature is the {ordinal(ownSignature.seq)} entry in this petition's public record. Anyone can
        check that it has not been changed or removed since.
      </p>
      <details className="read-more">
        <summary>How to check it</summary>
        <p>
          It is entry number {ownSignature.seq} of the petition's{" "}
          <a href={`/api/petitions/${slug}/ledger`}>public ledger</a>, with the fingerprint (SHA-256 hash){" "}
          <code>{ownSignature.hash}</code>. Each entry's fingerprint covers the one before it, so an entry
          changed or removed changes every fingerprint after it; the <a href="/transparency">public log</a>{" "}
          keeps the ledger's latest fingerprint, and <code>npm run cli -- verify-ledger</code> checks both.
        </p>
      </details>
      {ownSignature.invalidated ? null : (
        <PageActionButton intent="withdraw" label="Withdraw my signature" className="danger" />
      )}
    </section>
  );
}

const NOT_ELSEWHERE =
  "Tick “I have not signed this petition anonymously on another device” to sign publicly from here: one signature per person.";

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
          setLocalError(NOT_ELSEWHERE);
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
  const lastingRefusal =
    refused?.reason === "issued-otherwise"
      ? issuedOtherwise
      : refused?.reason === "not-in-log" || refused?.reason === "key-changed"
        ? refused.message
        : null;
  // A signature this device holds whose key the public log has not confirmed yet: kept, not spent.
  const held = signing.entry;
  const unconfirmed =
    !lastingRefusal && held?.token && held.status === "unused" ? unconfirmedKey(held) : null;
  return (
    <section className="card sign-box" id={SIGN_BOX_ID} aria-labelledby="sign-title">
      <h2 id="sign-title">Sign this petition</h2>
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
            <label htmlFor="noAnonymousSignature">
              I have not signed this petition anonymously on another device
            </label>
            <FieldErrors
              id={signFields.noAnonymousSignature.errorId}
              errors={signFields.noAnonymousSignature.errors}
            />
          </div>
        ) : null}
        {/* What a signature may carry besides: one click away, open when its field has an error. */}
        <details className="read-more" open={signFields.reason.errors ? true : undefined}>
          <summary>Add a reason, or milestone emails</summary>
          <TextareaField
            label="Why I'm signing (optional)"
            hint="Posted as your comment in the discussion, by name or anonymously as you sign."
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
            <label htmlFor="wantsUpdates">Email me when it reaches a milestone (public signers)</label>
          </div>
          {/* Honest about what signing sends: updates and responses reach every public signer unless turned off. */}
          <p id="signer-emails-hint" className="hint">
            Its organizers' updates and leadership's response are emailed to every public signer; turn them
            off in <Link to="/settings">email settings</Link>.
          </p>
        </details>
        <button type="submit" name="intent" value="sign" disabled={signing.busy !== null}>
          {signing.busy ?? "Sign"}
        </button>
        <HowAnonymousSigningWorks slug={petition.slug} anonymity={anonymity} witnesses={witnesses} />
      </Form>
    </section>
  );
}
