/**
 * Progress for long work: a line on a terminal's stderr, rewritten in place and cleared at the end;
 * nothing when stderr is not a terminal or under CI. The stream's isTTY is injected.
 */
import { strict as assert } from "node:assert";
import { progressLine, remaining } from "../plan/progress";
import { verify } from "../plan/verify";
import { ApiError } from "../plan/verifyApi";

/** A stand-in for stderr that records what is written. */
const stream = (isTTY: boolean | undefined, columns = 80) => {
  const written: string[] = [];
  return { isTTY, columns, written, write: (text: string) => written.push(text) };
};

describe("progress line", () => {
  it("rewrites one line in place on a terminal and clears it when done", () => {
    const tty = stream(true);
    const progress = progressLine(tty, {});
    progress.update("bench: dev, run 1 of 3");
    progress.update("bench: dev, run 2 of 3");
    progress.done();
    progress.done();
    assert.deepEqual(tty.written, [
      "\rbench: dev, run 1 of 3\x1b[K",
      "\rbench: dev, run 2 of 3\x1b[K",
      "\r\x1b[K",
    ]);
  });

  it("is quiet when stderr is not a terminal, or under CI", () => {
    for (const [isTTY, env] of [
      [false, {}],
      [undefined, {}],
      [true, { CI: "true" }],
    ] as const) {
      const s = stream(isTTY);
      const progress = progressLine(s, env);
      progress.update("backtest dev: 1/2 queries");
      progress.done();
      assert.deepEqual(s.written, [], `isTTY ${isTTY}, ${JSON.stringify(env)}`);
    }
    // CI set to anything else is not CI.
    const s = stream(true);
    progressLine(s, { CI: "false" }).update("x");
    assert.deepEqual(s.written, ["\rx\x1b[K"]);
  });

  it("keeps to one line of the terminal's width, control characters replaced", () => {
    const s = stream(true, 30);
    progressLine(s, {}).update(`verify dev:\n${"x".repeat(40)}`);
    assert.deepEqual(s.written, [`\rverify dev: ${"x".repeat(16)}…\x1b[K`]);
    assert.equal(s.written[0].length - "\r\x1b[K".length, 29);
  });

  it("says what is left of a wait in minutes and seconds", () => {
    assert.equal(remaining(250_000), "4m 10s");
    assert.equal(remaining(605_000), "10m 05s");
    assert.equal(remaining(34_001), "35s");
    assert.equal(remaining(-5), "0s");
  });

  it("verify --wait reports each try that failed, numbered, before retrying", async () => {
    const tries: [number, number][] = [];
    const client = {
      get: (url: string) => Promise.reject(new ApiError(url, "connection refused")),
    };
    const result = await verify({
      stack: "dev",
      plan: { stack: "dev", resources: [] },
      endpoints: { prometheus: "http://127.0.0.1:1", alertmanager: "http://127.0.0.1:2" },
      client,
      waitSeconds: 0.05,
      retryMs: 1,
      onRetry: (failed, leftMs, attempt) => {
        assert.ok(leftMs <= 50, `${leftMs}`);
        tries.push([failed, attempt]);
      },
    });
    assert.equal(result.exitCode, 3);
    assert.ok(tries.length >= 1);
    // An API that does not answer is -1; the tries count up from 1.
    assert.deepEqual(
      tries,
      tries.map((_, i) => [-1, i + 1]),
    );
  });
});
