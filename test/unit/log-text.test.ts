import { describe, expect, it } from "vitest";
import { errorForLog, LOG_TEXT_MAX, logText } from "../../app/platform/runtime/log-text";

/** What a stranger can put into a line of the server log: nothing but text, on that line. */
describe("logText", () => {
  it("writes newlines, terminal escapes, bidi overrides and line separators as escapes, so a value stays on its line", () => {
    const forged =
      "x\n2026-12-06T10:00:00Z admin@corp.example signed in\r\u001b[2K\u001b[31mred\u202Egnp.exe\u2028\u0000";
    const line = logText(forged);
    expect(line).not.toMatch(/\p{Cc}|[\u202E\u2028]/u);
    expect(line).toBe(
      "x\\n2026-12-06T10:00:00Z admin@corp.example signed in\\r\\u001b[2K\\u001b[31mred\\u202egnp.exe\\u2028\\u0000",
    );
    // What is safe stays as it was: accents, emoji and their joiners.
    expect(logText("Zoë 👩‍👩‍👧 ok")).toBe("Zoë 👩‍👩‍👧 ok");
  });

  it("cuts a long value at its bound, says how much more there was, and never between the halves of a character", () => {
    expect(logText("a".repeat(10_000))).toBe(
      `${"a".repeat(LOG_TEXT_MAX)}… (${10_000 - LOG_TEXT_MAX} more characters)`,
    );
    expect(logText(`${"a".repeat(9)}😀😀`, 10)).toBe(`${"a".repeat(9)}… (4 more characters)`);
    expect(logText({ field: "a\u001bb" })).toBe('{"field":"a\\u001bb"}');
  });
});

describe("errorForLog", () => {
  it("logs an error whose message forges a line and a stack frame as one header line and its real frames only", () => {
    const error = new Error('Route "x\n    at forged (/etc/passwd:1:1)\nFAKE LINE" does not match URL "/"');
    Object.assign(error, { code: "E_BOGUS", body: "a secret a request sent" });
    const lines = errorForLog(error).split("\n");
    expect(lines[0]).toBe(
      'Error [E_BOGUS]: Route "x\\n    at forged (/etc/passwd:1:1)\\nFAKE LINE" does not match URL "/"',
    );
    expect(lines.slice(1).length).toBeGreaterThan(0);
    for (const frame of lines.slice(1)) expect(frame).toMatch(/^ {4}at /);
    // The forged frame and line are inside the header line, escaped; the other properties are not logged.
    expect(lines.filter((line) => /FAKE|forged/.test(line))).toEqual([lines[0]]);
    expect(lines.join("\n")).not.toContain("a secret");
  });

  it("logs a cause, and a thrown value that is not an error, on one line each", () => {
    const error = new Error("mail could not be sent", { cause: new Error("550 no such user\nFAKE") });
    expect(errorForLog(error)).toMatch(/\n {2}caused by Error: 550 no such user\\nFAKE\n/);
    expect(errorForLog("a string\nthrown")).toBe("a string\\nthrown");
  });
});
