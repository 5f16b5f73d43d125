// One measured plan in a fresh process, written as `npm run plan` writes it (default manifests layout) to
// $BENCH_OUT when set: prints a JSON line with wall time, CPU time, peak RSS and phase timings.
import { useLeanStackTraces } from "../plan/leanStacks";
import * as fs from "node:fs";
import * as path from "node:path";
import { Plan, planStack, teamPlanContext } from "../plan/plan";

useLeanStackTraces();
// <stack> <config dir> [--team <platform plan.json> <platform stack reference>]
const [stack, configDir, teamFlag, platformPlan, reference] = process.argv.slice(2);
const root = path.resolve(__dirname, "..");
const team = teamFlag === "--team";
const started = performance.now();
void planStack({
  projectDir: team ? path.join(root, "teams") : root,
  configDir,
  policyConfigDir:
    configDir && fs.existsSync(path.join(configDir, `config.${stack}.json`)) ? configDir : undefined,
  stack,
  outDir: process.env.BENCH_OUT,
  ...(team ? teamPlanContext(reference, JSON.parse(fs.readFileSync(platformPlan, "utf8")) as Plan) : {}),
}).then((result) => {
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      exitCode: result.exitCode,
      wallMs,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      // This process only: promtool and amtool run in their own.
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      resources: result.plan?.resources.length ?? 0,
      timings: result.timings,
    }),
  );
  process.exit(0);
});
