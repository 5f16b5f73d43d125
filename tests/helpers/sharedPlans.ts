/**
 * Fixture plans shared between the processes of one `npm test` run. tests/run.mjs creates a directory
 * and names it in SHARED_PLANS_ENV for every spec job; the first process to ask for a fixture claims it
 * (`<name>.claim`, holding its pid, linked into place whole so it is never seen empty), plans it and
 * writes `<name>.json` (renamed into place whole). The others wait for that file. A claimer that failed
 * (`<name>.failed`), died, or has not answered within WAIT_MS leaves the others to plan it themselves, so
 * they meet its error in their own specs rather than a timeout.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SHARED_PLANS_ENV = "KUBE_MONITORING_SHARED_PLANS";

/** How often a waiting process looks for the claimer's result. */
const POLL_MS = 50;
/** How long a process waits for another's plan before making its own (a plan takes seconds). */
export const WAIT_MS = 30_000;

/** Whether process `pid` still runs (signal 0 only asks; EPERM is a process of another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Claims `claim` for this process: false when another process holds it. */
function claimed(claim: string): boolean {
  const mine = `${claim}.${process.pid}`;
  fs.writeFileSync(mine, String(process.pid));
  try {
    fs.linkSync(mine, claim);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/** `make()`'s value, made by one process of the run: a JSON-safe value, as `JSON.parse` returns it. */
export async function sharedPlan<T>(
  dir: string,
  name: string,
  make: () => Promise<T>,
  waitMs = WAIT_MS,
): Promise<T> {
  const result = path.join(dir, `${name}.json`);
  const failed = path.join(dir, `${name}.failed`);
  const claim = path.join(dir, `${name}.claim`);
  if (!claimed(claim)) return waitFor(result, failed, claim, make, Date.now() + waitMs);
  try {
    const text = JSON.stringify(await make());
    const partial = `${result}.${process.pid}`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, result);
    return JSON.parse(text) as T;
  } catch (err) {
    fs.writeFileSync(failed, "");
    throw err;
  }
}

async function waitFor<T>(
  result: string,
  failed: string,
  claim: string,
  make: () => Promise<T>,
  deadline: number,
): Promise<T> {
  for (;;) {
    if (fs.existsSync(result)) return JSON.parse(fs.readFileSync(result, "utf8")) as T;
    const gone = fs.existsSync(failed) || !running(Number(fs.readFileSync(claim, "utf8")));
    if (gone || Date.now() > deadline) {
      // The claimer may have finished between the two looks.
      if (fs.existsSync(result)) continue;
      return make();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
