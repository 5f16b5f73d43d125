import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sharedPlan } from "./helpers/sharedPlans";

/** A maker that counts its calls and answers `value` (or fails with `error`) a moment later. */
function maker<T>(value: T, error?: Error) {
  const m = {
    calls: 0,
    make: async (): Promise<T> => {
      m.calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (error) throw error;
      return value;
    },
  };
  return m;
}

describe("fixture plans shared between the spec jobs (tests/helpers/sharedPlans.ts)", function () {
  // A waiter that never stops waiting fails here, not after mocha's minute.
  this.timeout(5_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-shared-spec-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("makes a plan once: a second asker waits for the first's result, both as JSON", async () => {
    const first = maker({ stack: "dev", gone: undefined, n: 1 });
    const second = maker({ stack: "other", n: 2 });
    const [a, b] = await Promise.all([
      sharedPlan(dir, "dev", first.make),
      sharedPlan(dir, "dev", second.make),
    ]);
    assert.equal(first.calls, 1);
    assert.equal(second.calls, 0);
    assert.deepEqual(a, { stack: "dev", n: 1 });
    assert.deepEqual(b, { stack: "dev", n: 1 });
    assert.notEqual(a, b, "each asker its own copy");
    assert.equal(fs.readFileSync(path.join(dir, "dev.claim"), "utf8"), String(process.pid));
    // Another fixture is claimed on its own.
    const prod = maker({ stack: "prod" });
    assert.deepEqual(await sharedPlan(dir, "prod", prod.make), { stack: "prod" });
    assert.equal(prod.calls, 1);
  });

  it("a claimer that failed leaves the waiters to plan themselves, and keeps its own error", async () => {
    const broken = maker(0, new Error("the program threw"));
    const waiter = maker({ stack: "dev" });
    const [claimed, waited] = await Promise.allSettled([
      sharedPlan(dir, "dev", broken.make),
      sharedPlan(dir, "dev", waiter.make),
    ]);
    assert.equal(claimed.status, "rejected");
    assert.equal((claimed as PromiseRejectedResult).reason.message, "the program threw");
    assert.deepEqual(waited, { status: "fulfilled", value: { stack: "dev" } });
    assert.equal(waiter.calls, 1);
  });

  it("a claimer whose process is gone leaves the waiters to plan themselves", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    fs.writeFileSync(path.join(dir, "dev.claim"), String(gone));
    const waiter = maker({ stack: "dev" });
    assert.deepEqual(await sharedPlan(dir, "dev", waiter.make), { stack: "dev" });
    assert.equal(waiter.calls, 1);
  });

  it("waits while the claim is still empty (its pid not yet written), and reads the result then", async () => {
    fs.writeFileSync(path.join(dir, "dev.claim"), "");
    const waiter = maker({ stack: "mine" });
    const asked = sharedPlan(dir, "dev", waiter.make);
    await new Promise((resolve) => setTimeout(resolve, 150));
    fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify({ stack: "theirs" }));
    assert.deepEqual(await asked, { stack: "theirs" });
    assert.equal(waiter.calls, 0);
  });
});
