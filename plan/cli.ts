// npm run plan -- <stack> [--out DIR]
import * as path from "node:path";
import { planStack } from "./plan";

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let outDir = "out";
  const outAt = args.indexOf("--out");
  if (outAt >= 0) {
    if (!args[outAt + 1]) throw new Error("--out needs a directory");
    outDir = args[outAt + 1];
    args.splice(outAt, 2);
  }
  const [stack, ...rest] = args;
  if (!stack || rest.length) {
    console.error("usage: npm run plan -- <stack> [--out DIR]");
    return 1;
  }
  const projectDir = path.resolve(__dirname, "..");
  const result = await planStack({ projectDir, stack, outDir: path.resolve(outDir) });
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
