/**
 * Fixture plans shared between the processes of one `npm test` run. tests/run.mjs creates a directory
 * and names it in SHARED_PLANS_ENV for every spec job; the first process to ask for a fixture claims it
 * (`<name>.claim`, created exclusively, holding its pid), plans it and writes `<name>.json`; the others
 * wait for that file. A claimer that failed (`<name>.failed`) or died leaves the others to plan it
 * themselves, so they meet its error in their own specs rather than a timeout.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SHARED_PLANS_ENV = "KUBE_MONITORING_SHARED_PLANS";

/** How often a waiting process looks for the claimer's result. */
const POLL_MS = 50;

/** Whether process `pid` still runs (signal 0 only asks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `make()`'s value, made by one process of the run: a JSON-safe value, as `JSON.parse` returns it. */
export async function sharedPlan<T>(dir: string, name: string, make: () => Promise<T>): Promise<T> {
  const result = path.join(dir, `${name}.json`);
  const failed = path.join(dir, `${name}.failed`);
  const claim = path.join(dir, `${name}.claim`);
  try {
    fs.writeFileSync(claim, String(process.pid), { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return waitFor(result, failed, claim, make);
  }
  let value: T;
  try {
    value = await make();
  } catch (err) {
    fs.writeFileSync(failed, "");
    throw err;
  }
  const text = JSON.stringify(value);
  const partial = `${result}.${process.pid}`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, result);
  return JSON.parse(text) as T;
}

async function waitFor<T>(result: string, failed: string, claim: string, make: () => Promise<T>): Promise<T> {
  for (;;) {
    if (fs.existsSync(result)) return JSON.parse(fs.readFileSync(result, "utf8")) as T;
    // The claim is written as it is created: an empty one is a claimer still writing its pid.
    const pid = Number(fs.readFileSync(claim, "utf8"));
    if (fs.existsSync(failed) || (pid > 0 && !running(pid))) {
      if (fs.existsSync(result)) continue;
      return make();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
