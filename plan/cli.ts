// npm run plan -- <stack> [--out DIR] [--config-dir DIR] [--compare OLD_PLAN_JSON [--markdown FILE]]
import { useLeanStackTraces } from "./leanStacks";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as fs from "node:fs";
import { parse } from "yaml";
import { diffPlans, renderMarkdown, summaryLine } from "./diff";
import { Plan, planStack } from "./plan";

const usage =
  "usage: npm run plan -- <stack> [--out DIR] [--config-dir DIR] [--compare OLD_PLAN_JSON [--markdown FILE]]";

/** Where the command writes: the console, or a test's buffers. */
export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

/** The plan command: its exit code (0 clean, 1 error, 2 a mandatory violation). */
export async function runPlanCli(argv: string[], io: CliOutput = console): Promise<number> {
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
    io.error(usage);
    return 1;
  }
  // Misuse and unreadable files are reported before planning, so the plan's own exit code stands.
  if (values.markdown && !values.compare) {
    io.error(`--markdown needs --compare\n${usage}`);
    return 1;
  }
  const outDir = values.out;
  const forbidden = ["/proc", "/sys", "/dev"].find(
    (d) => path.resolve(outDir) === d || path.resolve(outDir).startsWith(`${d}/`),
  );
  if (forbidden) {
    io.error(`--out ${outDir}: ${forbidden} is not a place for plan files`);
    return 1;
  }
  const projectDir = path.resolve(__dirname, "..");
  const configDir = values["config-dir"] ? path.resolve(values["config-dir"]) : undefined;
  let old: Plan | undefined;
  if (values.compare) {
    try {
      old = readPlanFile(values.compare);
      const project = projectName(configDir ?? projectDir);
      // A diff against another project's or stack's plan would show changes nobody is making.
      if (old.project !== project) {
        throw new Error(
          `a plan of project ${JSON.stringify(old.project)}, not ${JSON.stringify(project)}; nothing to compare`,
        );
      }
      if (old.stack !== stack) {
        throw new Error(
          `a plan of stack ${JSON.stringify(old.stack)}, not ${JSON.stringify(stack)}; compare a stack only with its own earlier plan`,
        );
      }
    } catch (err) {
      io.error(`--compare ${values.compare}: ${(err as Error).message}`);
      return 1;
    }
  }
  // With --config-dir, the stack's policy config (config.<stack>.json) is read from there too.
  const result = await planStack({
    projectDir,
    configDir,
    policyConfigDir: configDir,
    stack,
    outDir: path.resolve(outDir),
  });
  (result.exitCode === 0 ? io.log : io.error)(result.report);
  if (result.plan) io.log(`\nwrote ${path.join(outDir, stack, "plan.json")} and manifests/`);
  if (result.plan && old && values.compare) {
    const diff = diffPlans(old, result.plan);
    io.log(`\n${summaryLine(diff, result.plan)}`);
    if (values.markdown) {
      fs.writeFileSync(values.markdown, renderMarkdown([{ diff, plan: result.plan }]));
      io.log(`wrote ${values.markdown}`);
    }
  }
  return result.exitCode;
}

/** The project name Pulumi.yaml declares. */
function projectName(dir: string): string {
  return String(parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"))?.name);
}

/** A plan.json written by this tool: the keys the diff reads, or an error saying what is wrong. */
function readPlanFile(file: string): Plan {
  if (!fs.existsSync(file)) throw new Error("no such file");
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  const p = parsed as Partial<Plan>;
  if (!p || typeof p.stack !== "string" || typeof p.project !== "string" || !Array.isArray(p.resources)) {
    throw new Error("not a plan.json written by npm run plan (needs stack, project and resources)");
  }
  return { violations: [], loosened: [], checks: [], outputs: {}, ...p } as Plan;
}

if (require.main === module) {
  useLeanStackTraces();
  runPlanCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
