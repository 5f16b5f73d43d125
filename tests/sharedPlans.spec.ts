import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planOf } from "./helpers/plan";
import { SHARED_PLANS_ENV, sharedPlan } from "./helpers/sharedPlans";

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

  it("a claimer that has not answered within the wait leaves the waiter to plan itself", async () => {
    // A live process (this one) holds the claim and never writes a result.
    fs.writeFileSync(path.join(dir, "dev.claim"), String(process.pid));
    const waiter = maker({ stack: "dev" });
    assert.deepEqual(await sharedPlan(dir, "dev", waiter.make, 200), { stack: "dev" });
    assert.equal(waiter.calls, 1);
  });

  it("a claimer that cannot write its result marks it failed: the waiter does not wait out the deadline", async () => {
    const unwritable = maker({ big: 1n });
    const waiter = maker({ stack: "dev" });
    const [claimed, waited] = await Promise.allSettled([
      sharedPlan(dir, "dev", unwritable.make),
      sharedPlan(dir, "dev", waiter.make),
    ]);
    assert.equal(claimed.status, "rejected");
    assert.match((claimed as PromiseRejectedResult).reason.message, /BigInt/);
    assert.deepEqual(waited, { status: "fulfilled", value: { stack: "dev" } });
  });

  it("reads a result whole: a claim is never seen empty, and no partial file is left", async () => {
    const first = maker({ stack: "dev" });
    await sharedPlan(dir, "dev", first.make);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["dev.claim", "dev.json"]);
  });
});

describe("planOf under npm test", () => {
  it("reads a fixture's plan from the run's shared directory when another job made it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-shared-spec-"));
    const saved = process.env[SHARED_PLANS_ENV];
    try {
      const made = { exitCode: 0, report: "planned by another job" };
      fs.writeFileSync(path.join(dir, "elsewhere.claim"), String(process.pid));
      fs.writeFileSync(path.join(dir, "elsewhere.json"), JSON.stringify(made));
      process.env[SHARED_PLANS_ENV] = dir;
      // No fixture of that name exists: planning it would exit 1.
      assert.deepEqual(await planOf("elsewhere"), made);
    } finally {
      if (saved === undefined) delete process.env[SHARED_PLANS_ENV];
      else process.env[SHARED_PLANS_ENV] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the variable npm test sets for every job", () => {
    // tests/run.mjs takes the name from this module; a job given another name would plan for itself.
    const runner = fs.readFileSync(path.join(__dirname, "run.mjs"), "utf8");
    assert.match(runner, /const \{ SHARED_PLANS_ENV \} = require\("\.\/helpers\/sharedPlans\.ts"\)/);
    assert.match(runner, /env: \{ \.\.\.process\.env, \[SHARED_PLANS_ENV\]: sharedPlans/);
  });
});
