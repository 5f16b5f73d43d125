// npm run plan -- <stack> [--out DIR] [--config-dir DIR]
import * as path from "node:path";
import { parseArgs } from "node:util";
import { planStack } from "./plan";

const usage = "usage: npm run plan -- <stack> [--out DIR] [--config-dir DIR]";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: "string", default: "out" }, "config-dir": { type: "string" } },
  });
  const [stack, ...rest] = positionals;
  if (!stack || rest.length) {
    console.error(usage);
    return 1;
  }
  const outDir = values.out;
  const projectDir = path.resolve(__dirname, "..");
  const configDir = values["config-dir"] ? path.resolve(values["config-dir"]) : undefined;
  const result = await planStack({ projectDir, configDir, stack, outDir: path.resolve(outDir) });
  (result.exitCode === 0 ? console.log : console.error)(result.report);
  if (result.plan) console.log(`\nwrote ${path.join(outDir, stack, "plan.json")} and manifests/`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
