/**
 * The second floor: the Pulumi SDK registering N no-op resources (no inputs) under the offline plan's
 * own mocks and recorder (plan/runtime.ts), the part of a plan's cost no program can avoid. Prints a
 * JSON line like planOnce.ts: wall time from process start, peak RSS, resources.
 *
 * `node -r ./plan/register.js bench/sdkFloor.ts N`
 */
import * as pulumi from "@pulumi/pulumi";
import { inBatches } from "../components/inBatches";
import { useLeanStackTraces } from "../plan/leanStacks";
import { runProgram } from "../plan/runtime";

useLeanStackTraces();
const count = Number(process.argv[2] ?? 1000);

class Noop extends pulumi.CustomResource {
  constructor(name: string) {
    super("bench:index:Noop", name, {});
  }
}

void runProgram({
  project: "bench",
  stack: "floor",
  config: {},
  // The stack resource counts as one, as in a plan. Built a batch at a time, as the program builds its
  // apps (components/inBatches.ts: ten apps, about 90 resources).
  program: () => () =>
    inBatches(
      Array.from({ length: Math.max(0, count - 1) }, (_, i) => i + 1),
      (i) => new Noop(`noop-${i}`),
      90,
    ),
}).then((run) => {
  console.log(
    JSON.stringify({
      wallMs: performance.now(),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      resources: run.resources.length,
    }),
  );
  process.exit(0);
});
