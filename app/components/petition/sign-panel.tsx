import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import type { z } from "zod";
import { unconfirmedKey } from "../../browser/wallet/log-check";
import type { signSchema } from "../../domain/petitions/forms";
import {
  AnonymousReceipt,
  issuedOtherwise,
  type PetitionKey,
  progressLine,
  SETUP_PATH,
  useAnonymousSigning,
} from "../anonymous-signing";
import { FieldErrors, FormErrors, PageActionButton, TextareaField, useActionResultFor } from "../forms";
import { LogSmallPrint } from "../transparency-bits";
import { useHydrated } from "../use-hydrated";
import { useLazyValidation } from "../validation";

/**
 * The petition page's signing panel: the person's own signature (public, from the server; anonymous,
 * from this device and the public digest) and the form. Public signing is never refused: with this
 * device's anonymous signature it spends it; without it (no JavaScript, or a device not set up) the
 * form asks whether they already signed anonymously elsewhere.
 */
export type OwnSignature = { visibility: string; seq: number; hash: string; invalidated: boolean } | null;

export function SignPanel({
  petition,
  anonymity,
  ownSignature,
  isOpen,
  signedIn,
  witnesses,
}: {
  petition: { id: number; slug: string; title: string };
  anonymity: PetitionKey;
  ownSignature: OwnSignature;
  isOpen: boolean;
  signedIn: boolean;
  /** The independent witnesses the public log requires (their names). */
  witnesses: string[];
}) {
  const signing = useAnonymousSigning(petition, anonymity, ownSignature !== null);
  const showsSignForm = isOpen && !ownSignature && signedIn && !signing.signedAnonymously;
  return (
    <>
      {isOpen && ownSignature ? <PublicReceipt ownSignature={ownSignature} /> : null}
      <AnonymousReceipt signing={signing} />
      {showsSignForm ? (
        <SignForm petition={petition} anonymity={anonymity} signing={signing} witnesses={witnesses} />
      ) : null}
      {isOpen && !signedIn ? (
        <p className="card">
          <Link to={`/sign-in?${new URLSearchParams({ redirectTo: `/petitions/${petition.slug}` })}`}>
            Sign in
          </Link>{" "}
          to sign this petition.
        </p>
      ) : null}
    </>
  );
}

function PublicReceipt({ ownSignature }: { ownSignature: NonNullable<OwnSignature> }) {
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
        Your receipt: entry <strong>#{ownSignature.seq}</strong> of the petition's public ledger, hash{" "}
        <code>{ownSignature.hash}</code>
      </p>
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
  signing: ReturnType<typeof useAnonymousSigning>;
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
    <section className="card" aria-labelledby="sign-title">
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
        <fieldset aria-describedby="visibility-hint">
          <legend>How your signature appears</legend>
          <p id="visibility-hint" className="hint">
            You choose once: a public signature stays public, and an anonymous one is never made public.
          </p>
          <div className="radio">
            <input
              type="radio"
              id="visibility-public"
              name="visibility"
              value="public"
              defaultChecked
              onChange={() => setVisibility("public")}
            />
            <label htmlFor="visibility-public">Publicly — your name and department in the signers list</label>
          </div>
          <div className="radio">
            <input
              type="radio"
              id="visibility-anonymous"
              name="visibility"
              value="anonymous"
              disabled={!anonymousPossible}
              aria-describedby="anonymous-hint"
              onChange={() => setVisibility("anonymous")}
            />
            <label htmlFor="visibility-anonymous">
              Anonymously — counted and verified, but nobody can tell it was you, not even whoever runs this
              server
            </label>
          </div>
          <p id="anonymous-hint" className="hint">
            {!hydrated
              ? "Signing anonymously needs JavaScript: your browser makes the signature itself, so that the server never learns it is yours. Without it you can sign publicly."
              : !anonymity
                ? "This petition takes no anonymous signatures at the moment."
                : !signing.available
                  ? "Signing anonymously needs a secure connection (https): this page was not loaded over one."
                  : "It protects you from anyone who later holds the database, its backups or the logs. It cannot protect you from someone watching the network or the server live as you sign, or from a server that sends your browser altered code: signing from another network, and the short random wait before it is sent, make the first harder."}
          </p>
          {hydrated && anonymousPossible && signing.hasWallet === false ? (
            <p className="hint">
              This device is not set up for anonymous signing yet.{" "}
              <Link to={`${SETUP_PATH}?${new URLSearchParams({ back: `/petitions/${petition.slug}` })}`}>
                Get this device ready for anonymous signing
              </Link>
              .
            </p>
          ) : null}
          {lastingRefusal ? (
            <p className="flash flash-error" role="alert">
              {lastingRefusal}
            </p>
          ) : null}
          {unconfirmed ? (
            <p className="hint" role="status">
              {unconfirmed}
            </p>
          ) : null}
          {anonymity ? <LogSmallPrint witnesses={witnesses} /> : null}
        </fieldset>
        <TextareaField
          label="Why I'm signing (optional)"
          hint="Posted as your comment in the discussion, with the same choice: public or anonymous (an anonymous one carries no time finer than the day; not while moderators have it locked, or if you have just posted several comments)."
          field={signFields.reason}
          rows={3}
        />
        {/* Filled in by the browser just before a public signature is sent. */}
        <input type="hidden" name="tokenMessage" defaultValue="" />
        <input type="hidden" name="tokenSignature" defaultValue="" />
        {/* Asked of a public signature sent without this device's anonymous signature (no JavaScript,
            or a device not set up for anonymous signing); the server requires it then. */}
        {asksElsewhere && visibility === "public" ? (
          <fieldset aria-describedby="no-anonymous-hint">
            <legend>Have you already signed this petition anonymously, on another device?</legend>
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
            </div>
            <p id="no-anonymous-hint" className="hint">
              Needed for a public signature from a device that cannot sign anonymously for you: one signature
              per person. If you did sign anonymously, your signature already counts. The petition publishes
              how many public signatures were made this way.
            </p>
            <FieldErrors
              id={signFields.noAnonymousSignature.errorId}
              errors={signFields.noAnonymousSignature.errors}
            />
          </fieldset>
        ) : null}
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
          Its organizers' updates and leadership's response are emailed to every public signer; turn them off
          in <Link to="/settings">email settings</Link>. Emails travel through company mail, where mail
          administrators can see who was sent one. Anonymous signers are emailed nothing — the platform cannot
          know who they are: follow the petition here, in <Link to="/my/petitions">My petitions</Link>, or by
          its <a href={`/petitions/${petition.slug}/feed.atom`}>feed</a>.
        </p>
        <button type="submit" name="intent" value="sign" disabled={signing.busy !== null}>
          {signing.busy ?? "Sign"}
        </button>
      </Form>
    </section>
  );
}
