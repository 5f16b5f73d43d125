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

/** A plan file that is there but not a plan: the comment is refused, naming the file. */
export class PlanFileError extends Error {}

/** Largest plan.json read (a real stack's is well under 10 MiB). */
export const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

const read = (dir: string, stack: string): Plan | undefined => {
  const file = path.join(dir, stack, "plan.json");
  if (!fs.existsSync(file)) return undefined;
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new PlanFileError(`${file}: not a regular file`);
  if (stat.size > MAX_PLAN_FILE_BYTES)
    throw new PlanFileError(`${file}: ${stat.size} bytes; at most ${MAX_PLAN_FILE_BYTES}`);
  let parsed: Partial<Plan>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Plan>;
  } catch (err) {
    throw new PlanFileError(`${file}: not valid JSON (${(err as Error).message.split("\n")[0]}); truncated?`);
  }
  const wrong =
    !parsed || typeof parsed !== "object" || Array.isArray(parsed)
      ? "the file"
      : typeof parsed.stack !== "string"
        ? "stack"
        : !Array.isArray(parsed.resources)
          ? "resources"
          : !Array.isArray(parsed.violations ?? [])
            ? "violations"
            : !Array.isArray(parsed.loosened ?? [])
              ? "loosened"
              : undefined;
  if (wrong) throw new PlanFileError(`${file}: ${wrong}: not what npm run plan writes`);
  return { violations: [], loosened: [], checks: [], outputs: {}, ...parsed } as Plan;
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

if (require.main === module) {
  const line = parseCommandLine(
    process.argv.slice(2),
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
    process.exit(line.kind === "help" ? 0 : 1);
  }
  const { values, positionals } = line;
  const missing = ["head", "base", "out"].filter((k) => !values[k as "head" | "base" | "out"]);
  if (missing.length || positionals.length) {
    const why = missing.length
      ? `${missing.map((k) => `--${k}`).join(", ")}: required`
      : `${positionals[0]}: unexpected argument`;
    console.error(usageError(logSafe(why), COMMENT_HELP));
    process.exit(1);
  }
  let result: ReturnType<typeof prComment>;
  try {
    result = prComment(values.head!, values.base!, (values.stacks ?? "dev,prod").split(","));
  } catch (err) {
    if (!(err instanceof PlanFileError)) throw err;
    console.error(logSafe(err.message));
    process.exit(1);
  }
  const { markdown, planned } = result;
  fs.writeFileSync(values.out!, markdown);
  console.log(`wrote ${values.out} (${planned} stacks)`);
}
