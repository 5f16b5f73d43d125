// npm run plan:comment -- --head DIR --base DIR --stacks dev,prod --out FILE
// One PR comment for several stacks: each head plan diffed against its base plan (or against nothing
// when the base has no plan for that stack, e.g. a new stack).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { diffPlans, renderMarkdown } from "./diff";
import type { Plan } from "./plan";

const read = (dir: string, stack: string): Plan | undefined => {
  const file = path.join(dir, stack, "plan.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Plan) : undefined;
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
    const basePlan = read(base, stack) ?? {
      ...headPlan,
      stack: `${stack} (no base plan)`,
      resources: [],
      violations: [],
    };
    return [{ diff: diffPlans(basePlan, headPlan), plan: headPlan }];
  });
  return { markdown: renderMarkdown(entries, undefined, failed), planned: entries.length };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      head: { type: "string" },
      base: { type: "string" },
      stacks: { type: "string", default: "dev,prod" },
      out: { type: "string" },
    },
  });
  if (!values.head || !values.base || !values.out) {
    console.error("usage: npm run plan:comment -- --head DIR --base DIR [--stacks dev,prod] --out FILE");
    process.exit(1);
  }
  const { markdown, planned } = prComment(values.head, values.base, values.stacks.split(","));
  fs.writeFileSync(values.out, markdown);
  console.log(`wrote ${values.out} (${planned} stacks)`);
}
