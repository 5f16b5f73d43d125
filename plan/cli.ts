// npm run plan -- <stack> [--out DIR] [--config-dir DIR] [--compare OLD_PLAN_JSON [--markdown FILE]]
import "./leanStacks";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as fs from "node:fs";
import { diffPlans, renderMarkdown, summaryLine } from "./diff";
import { Plan, planStack } from "./plan";

const usage =
  "usage: npm run plan -- <stack> [--out DIR] [--config-dir DIR] [--compare OLD_PLAN_JSON [--markdown FILE]]";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "out" },
      "config-dir": { type: "string" },
      compare: { type: "string" },
      markdown: { type: "string" },
    },
  });
  const [stack, ...rest] = positionals;
  if (!stack || rest.length) {
    console.error(usage);
    return 1;
  }
  const outDir = values.out;
  const projectDir = path.resolve(__dirname, "..");
  const configDir = values["config-dir"] ? path.resolve(values["config-dir"]) : undefined;
  // With --config-dir, the stack's policy config (config.<stack>.json) is read from there too.
  const result = await planStack({
    projectDir,
    configDir,
    policyConfigDir: configDir,
    stack,
    outDir: path.resolve(outDir),
  });
  (result.exitCode === 0 ? console.log : console.error)(result.report);
  if (result.plan) console.log(`\nwrote ${path.join(outDir, stack, "plan.json")} and manifests/`);
  if (result.plan && values.compare) {
    const old = JSON.parse(fs.readFileSync(values.compare, "utf8")) as Plan;
    const diff = diffPlans(old, result.plan);
    console.log(`\n${summaryLine(diff, result.plan)}`);
    if (values.markdown) {
      fs.writeFileSync(values.markdown, renderMarkdown([{ diff, plan: result.plan }]));
      console.log(`wrote ${values.markdown}`);
    }
  }
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
