/**
 * A worker's questions to the primary (ADR 25): those asked in one turn of the event loop go in one
 * message, when the primary that forked the worker says it takes batches, and one message each
 * otherwise (an older primary, during a rolling restart). The IPC channel is this process's own
 * `process.send`, recorded; the primary's answers are delivered as the channel delivers them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  askPrimary,
  BATCHES_ENV,
  type GroupQuestion,
  type GroupRequest,
  MESSAGE_TAG,
  type ToPrimary,
  type ToWorker,
} from "../../app/platform/runtime/process-group.server";

let sent: ToPrimary[] = [];
const originalSend = process.send;
beforeEach(() => {
  sent = [];
  process.send = ((message: ToPrimary) => {
    sent.push(message);
    return true;
  }) as typeof process.send;
});
afterEach(() => {
  process.send = originalSend;
  delete process.env[BATCHES_ENV];
});

// Delivered to the listener askPrimary added (the last one: the test runner's own came first), not
// emitted, which the runner's listener would take for one of its messages.
const answer = (message: ToWorker) => {
  const listener = process.listeners("message").at(-1) as ((message: unknown) => void) | undefined;
  listener?.(message);
};
const turn = () => new Promise((resolve) => setImmediate(resolve));
const hit = (key: string): GroupRequest => ({
  kind: "rate-limit",
  hits: [[key, { limit: 1, windowMs: 1 }]],
  now: 0,
});
const questionsIn = (message: ToPrimary | undefined): GroupQuestion[] => {
  const body = message?.[MESSAGE_TAG];
  return body && "batch" in body ? body.batch : body && "request" in body ? [body] : [];
};

describe("asking the primary", () => {
  it("sends the questions of one turn in one message, in order, and hands each asker its own answer", async () => {
    process.env[BATCHES_ENV] = "1";
    const asked = ["sign:person:1", "sign:ip:10.0.0.1", "sign:person:2"].map((key) =>
      askPrimary<string>(hit(key)),
    );
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toHaveLength(1);
    const questions = questionsIn(sent[0]);
    expect(questions.map((q) => q.request.kind === "rate-limit" && q.request.hits[0]?.[0])).toEqual([
      "sign:person:1",
      "sign:ip:10.0.0.1",
      "sign:person:2",
    ]);
    // Answered out of order: each promise still gets the answer to its own question.
    answer({
      [MESSAGE_TAG]: { answers: [...questions].reverse().map(({ id }) => ({ id, answer: `answer ${id}` })) },
    });
    expect(await Promise.all(asked)).toEqual(questions.map(({ id }) => `answer ${id}`));

    // The next turn's question is a message of its own.
    const later = askPrimary<string>(hit("sign:person:3"));
    await turn();
    expect(sent).toHaveLength(2);
    const [question] = questionsIn(sent[1]);
    answer({ [MESSAGE_TAG]: { answers: [{ id: question?.id ?? 0, answer: "later" }] } });
    expect(await later).toBe("later");
  });

  it("sends one message a question to a primary that does not take batches", async () => {
    const asked = [askPrimary<string>(hit("a")), askPrimary<string>(hit("b"))];
    await turn();
    expect(sent).toHaveLength(2);
    for (const message of sent) {
      expect(message[MESSAGE_TAG]).toHaveProperty("request");
      const [question] = questionsIn(message);
      answer({ [MESSAGE_TAG]: { id: question?.id ?? 0, answer: question?.id } });
    }
    expect(await Promise.all(asked)).toEqual(sent.map((m) => questionsIn(m)[0]?.id));
  });
});
