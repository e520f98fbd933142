/**
 * What a SIGTERM or SIGINT reaching the primary means. One stop usually arrives several times: a
 * terminal's Ctrl-C and a supervisor's stop (systemd's KillMode=control-group, `docker stop` through
 * an init) signal every process of the group, and npm, a shell or a wrapper in between passes its own
 * copy on as well. Copies within REPEAT_STOP_MS of the first are that one stop; a request later than
 * that was made on purpose (a second Ctrl-C by someone tired of waiting) and stops at once.
 */
import { performance } from "node:perf_hooks";

/** Copies of one stop arrive within milliseconds; a person pressing Ctrl-C again takes longer. */
export const REPEAT_STOP_MS = 1_000;

export type StopRequest = "stop" | "same-stop" | "force";

/** `now` is a monotonic clock in milliseconds (a wall clock set back would turn a copy into "force"). */
export function stopRequests(
  now: () => number = () => performance.now(),
  repeatMs: number = REPEAT_STOP_MS,
): () => StopRequest {
  let first: number | null = null;
  return () => {
    const at = now();
    if (first === null) {
      first = at;
      return "stop";
    }
    return at - first > repeatMs ? "force" : "same-stop";
  };
}
