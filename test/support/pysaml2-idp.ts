import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./app-server";
import { selfSignedCertificate } from "./certificate";

/**
 * A SAML identity provider nobody here wrote: pysaml2 (Debian's python3-pysaml2, signing with
 * xmlsec1), run by pysaml2-idp.py as a child process of Debian's python on a free port, with a key
 * and certificate made by the test. It answers the app's AuthnRequest with pysaml2's own
 * auto-submitting form; `answer(mode)` makes the following answers a hostile or broken provider's.
 */
export type Pysaml2Mode =
  | "success"
  | "rogue-issuer"
  | "non-success"
  | "unsolicited"
  | "other-destination"
  | "rsa-sha1";

export type Pysaml2Colleague = {
  /** The persistent NameID. */
  subject: string;
  email?: string;
  name?: string;
  department?: string;
  location?: string;
};

/** The app's IDP_CLAIM_* variables naming the attributes pysaml2 sends. */
export type Pysaml2Claims = {
  IDP_CLAIM_EMAIL: string;
  IDP_CLAIM_NAME: string;
  IDP_CLAIM_DEPARTMENT: string;
  IDP_CLAIM_LOCATION: string;
};

const SCRIPT = fileURLToPath(new URL("./pysaml2-idp.py", import.meta.url));
/** Debian's python, which has python3-pysaml2 (the `python3` on PATH may be another one). */
const PYTHON = "/usr/bin/python3";

/**
 * Starts the provider. It reads the app's SP metadata from `appUrl` at the first sign-in, so it can
 * start before the app, which is configured with `ssoUrl`, `certificate`, `entityId` and `claims`.
 */
export async function startPysaml2Idp(appUrl: string, entityId = "https://idp.pysaml2.example/metadata") {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-pysaml2-"));
  const { certificate, privateKey } = selfSignedCertificate("idp.pysaml2.example");
  const settings = {
    port,
    entityId,
    rogueEntityId: "https://rogue.pysaml2.example/metadata",
    keyFile: path.join(dir, "key.pem"),
    certFile: path.join(dir, "cert.pem"),
    spMetadataUrl: `${appUrl}/auth/saml/metadata`,
  };
  writeFileSync(settings.keyFile, privateKey, { mode: 0o600 });
  writeFileSync(settings.certFile, certificate);
  writeFileSync(path.join(dir, "settings.json"), JSON.stringify(settings));

  const child: ChildProcess = spawn(PYTHON, [SCRIPT, path.join(dir, "settings.json")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  // Its refusals and tracebacks go to the test's log (shown when a test fails).
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
    console.error(`[pysaml2] ${chunk}`);
  });
  const ready = await new Promise<{ claims: Record<"email" | "name" | "department" | "location", string> }>(
    (resolve, reject) => {
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk;
        const line = stdout.split("\n")[0];
        if (stdout.includes("\n") && line) resolve(JSON.parse(line));
      });
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the pysaml2 IdP exited (${code}):\n${stderr}`)));
    },
  );
  const base = `http://127.0.0.1:${port}`;

  return {
    entityId,
    rogueEntityId: settings.rogueEntityId,
    certificate,
    /** Its SSO endpoint (redirect binding): SAML_ENTRY_POINT. */
    ssoUrl: `${base}/sso/redirect`,
    /** Sends a signed answer to no request (IdP-initiated sign-in). */
    idpInitiatedUrl: (relayState = "/") =>
      `${base}/idp-initiated?${new URLSearchParams({ RelayState: relayState })}`,
    claims: {
      IDP_CLAIM_EMAIL: ready.claims.email,
      IDP_CLAIM_NAME: ready.claims.name,
      IDP_CLAIM_DEPARTMENT: ready.claims.department,
      IDP_CLAIM_LOCATION: ready.claims.location,
    } satisfies Pysaml2Claims,
    /** The following sign-ins are answered this way, naming `colleague` (kept until changed). */
    async answer(mode: Pysaml2Mode, colleague?: Pysaml2Colleague): Promise<void> {
      const response = await fetch(`${base}/answer`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ mode, ...(colleague ? { user: colleague } : {}) }),
      });
      if (response.status !== 204) throw new Error(`the pysaml2 IdP refused mode ${mode}`);
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type Pysaml2Idp = Awaited<ReturnType<typeof startPysaml2Idp>>;
