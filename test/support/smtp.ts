import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** `at`: when the server received it (the outbox keeps only the hour it was sent). */
export type ReceivedMail = { raw: string; parsed: ParsedMail; to: string[]; at: number };

/** Decides a message's fate at the moment it is in flight: kept (then answered 250) or refused (451). */
export type Interceptor = (mail: { raw: string; to: string[] }) => Promise<"keep" | "refuse">;

/**
 * A real SMTP server on a free loopback port. `refuseNext` makes the next N deliveries fail with a
 * 451, like a server under load; `refuseAll` does so until turned off; `goDown`/`comeBack` stop and
 * resume listening (connections refused meanwhile); `intercept` runs before each answer.
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let refusals = 0;
  let refusingAll = false;
  let interceptor: Interceptor | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    // A reverse DNS lookup per connection costs ~100 ms here, and nothing reads it.
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const to = session.envelope.rcptTo.map((r) => r.address);
        const fate = interceptor ? await interceptor({ raw, to }) : "keep";
        let refuse = refusingAll || fate === "refuse";
        if (!refuse && refusals > 0) {
          refusals--;
          refuse = true;
        }
        if (refuse) {
          const error = Object.assign(new Error("Try again later"), { responseCode: 451 });
          callback(error);
          return;
        }
        const at = Date.now();
        received.push({ raw, parsed: await simpleParser(raw), to, at });
        for (const wake of waiters.splice(0)) wake();
        callback();
      });
    },
  });
  // A client that dies mid-message (a crash test's kill -9) is an error event, not a test failure.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(n: number) {
      refusals = n;
    },
    refuseAll(on: boolean) {
      refusingAll = on;
    },
    intercept(fn: Interceptor | null) {
      interceptor = fn;
    },
    /** Stops listening: new connections are refused, as when the mail server is down. */
    goDown() {
      server.server.close();
    },
    comeBack: () => new Promise<void>((resolve) => server.server.listen(port, "127.0.0.1", resolve)),
    /** Resolves when a message matching `predicate` has arrived. */
    async waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 15_000): Promise<ReceivedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error("No matching email arrived in time");
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function extractLink(text: string, path: string): string {
  const match = text.match(new RegExp(`https?://\\S+${path.replace(/[/.?]/g, "\\$&")}\\S*`));
  if (!match) throw new Error(`No ${path} link in:\n${text}`);
  return match[0];
}
