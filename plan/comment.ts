// npm run plan:comment -- --head DIR --base DIR --stacks dev,prod --out FILE
// One PR comment for several stacks: each head plan diffed against its base plan (or against nothing
// when the base has no plan for that stack, e.g. a new stack).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { diffPlans, renderMarkdown } from "./diff";
import type { Plan } from "./plan";

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
const read = (dir: string, stack: string): Plan | undefined => {
  const file = path.join(dir, stack, "plan.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Plan) : undefined;
};
const stacks = values.stacks.split(",");
const failed = stacks.filter((stack) => !read(values.head!, stack));
const entries = stacks.flatMap((stack) => {
  const head = read(values.head!, stack);
  if (!head) return [];
  const base = read(values.base!, stack) ?? {
    ...head,
    stack: `${stack} (no base plan)`,
    resources: [],
    violations: [],
  };
  return [{ diff: diffPlans(base, head), plan: head }];
});
fs.writeFileSync(values.out, renderMarkdown(entries, undefined, failed));
console.log(`wrote ${values.out} (${entries.length} stacks)`);
