// npm run plan:comment -- --head DIR --base DIR --stacks dev,prod --out FILE
// One PR comment for several stacks: each head plan diffed against its base plan (or against nothing
// when the base has no plan for that stack, e.g. a new stack).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, usageError } from "./cliHelp";
import { COMMENT_HELP } from "./helpTexts";
import { diffPlans, renderMarkdown } from "./diff";
import { logSafe } from "./escape";
import type { Plan } from "./plan";
import { PlanFileError, readPlanJson } from "./planFile";
import { SIZE_CAPS } from "../components/inputFile";

export { PlanFileError };

/** Largest plan.json read (a real stack's is well under 10 MiB). */
export const MAX_PLAN_FILE_BYTES = SIZE_CAPS.planFile;

/** The plan of `stack` in `dir`, undefined when there is none; PlanFileError when it is not a plan. */
const read = (dir: string, stack: string): Plan | undefined => {
  const file = path.join(dir, stack, "plan.json");
  // lstat: a dangling symlink is there, and refused as such by the reader.
  if (!fs.existsSync(file) && !isLink(file)) return undefined;
  return readPlanJson(file);
};

const isLink = (file: string) => {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
};

/** The comment for `stacks`: head plans in `head`, base plans in `base`; a stack without a head plan failed. */
export function prComment(
  head: string,
  base: string,
  stacks: readonly string[],
): { markdown: string; planned: number } {
  const failed = stacks.filter((stack) => !read(head, stack));
  const entries = stacks.flatMap((stack) => {
    const headPlan = read(head, stack);
    if (!headPlan) return [];
    const found = read(base, stack);
    const basePlan = found ?? {
      ...headPlan,
      stack: `${stack} (no base plan)`,
      resources: [],
      violations: [],
    };
    return [{ diff: diffPlans(basePlan, headPlan), plan: headPlan, base: found }];
  });
  return { markdown: renderMarkdown(entries, undefined, failed), planned: entries.length };
}

/** `npm run plan:comment`: its exit status; what it says goes to the console. */
export function main(argv: string[]): number {
  const line = parseCommandLine(
    argv,
    {
      head: { type: "string" },
      base: { type: "string" },
      stacks: { type: "string", default: "dev,prod" },
      out: { type: "string" },
    },
    COMMENT_HELP,
  );
  if (line.kind !== "run") {
    (line.kind === "help" ? console.log : console.error)(line.text);
    return line.kind === "help" ? 0 : 1;
  }
  const { values, positionals } = line;
  const missing = ["head", "base", "out"].filter((k) => !values[k as "head" | "base" | "out"]);
  if (missing.length || positionals.length) {
    const why = missing.length
      ? `${missing.map((k) => `--${k}`).join(", ")}: required`
      : `${positionals[0]}: unexpected argument`;
    console.error(usageError(logSafe(why), COMMENT_HELP));
    return 1;
  }
  let result: ReturnType<typeof prComment>;
  try {
    result = prComment(values.head!, values.base!, (values.stacks ?? "dev,prod").split(","));
  } catch (err) {
    if (!(err instanceof PlanFileError)) throw err;
    console.error(logSafe(err.message));
    return 1;
  }
  const { markdown, planned } = result;
  fs.writeFileSync(values.out!, markdown);
  console.log(`wrote ${values.out} (${planned} stacks)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
