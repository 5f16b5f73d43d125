// One measured plan in a fresh process: prints a JSON line with wall time, peak RSS and phase timings.
import { useLeanStackTraces } from "../plan/leanStacks";
import * as path from "node:path";
import { planStack } from "../plan/plan";

useLeanStackTraces();
const [stack, configDir] = process.argv.slice(2);
const started = performance.now();
void planStack({ projectDir: path.resolve(__dirname, ".."), configDir, stack }).then((result) => {
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      exitCode: result.exitCode,
      wallMs,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      resources: result.plan?.resources.length ?? 0,
      timings: result.timings,
    }),
  );
  process.exit(0);
});
