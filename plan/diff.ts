/**
 * The offline diff: two plans compared resource by resource, rendered as a bounded, deterministic PR
 * comment. Resources match by URN with the stack left out, so a plan can be compared with another
 * stack's as well as with its own base. Helm values are compared key path by key path.
 */
import { isBlocking } from "../policies/settingsDelta";
import {
  SYMBOL,
  alertsTable,
  changeNotes,
  dashboardChanges,
  looseningText,
  splitFindings,
  structureGraph,
  yamlDiff,
} from "./commentParts";
import { codeSpan, mdText } from "./escape";
import { shortName } from "./report";
import type { Plan } from "./plan";
import { toolVersions } from "./realTools";
import type { RecordedResource } from "./runtime";

export type { ChangeKind, InputChange, PlanDiff, ResourceChange } from "./diffTypes";
import type { ChangeKind, InputChange, PlanDiff, ResourceChange } from "./diffTypes";

/** GitHub refuses comments longer than this. */
export const COMMENT_LIMIT = 65_536;

/** Inputs whose change makes the provider replace the resource rather than update it. */
const REPLACE_PATHS: [RegExp, RegExp][] = [
  [/^kubernetes:/, /^metadata\.(name|namespace)$/],
  [/^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet)$/, /^spec\.selector(\.|$)/],
  [/^kubernetes:apps\/v1:StatefulSet$/, /^spec\.(volumeClaimTemplates|serviceName)(\.|\[|$)/],
  [/^kubernetes:helm\.sh\/v3:Release$/, /^(name|namespace)$/],
  [/^aws:s3\/bucket:Bucket$/, /^(bucket|bucketPrefix|region)$/],
  [/^aws:iam\//, /^name$/],
];

export const urnKey = (urn: string) => urn.replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:*::");

/** Leaf-level differences between two input trees, as dotted paths (arrays as [i]). */
export function inputChanges(oldValue: unknown, newValue: unknown, path = ""): InputChange[] {
  const isObject = (v: unknown) => v !== null && typeof v === "object";
  if (isObject(oldValue) && isObject(newValue) && Array.isArray(oldValue) === Array.isArray(newValue)) {
    const a = oldValue as Record<string, unknown>;
    const b = newValue as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const child = Array.isArray(oldValue) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      return inputChanges(a[k], b[k], child);
    });
  }
  if (JSON.stringify(oldValue) === JSON.stringify(newValue)) return [];
  return [
    {
      path,
      ...(oldValue !== undefined ? { old: oldValue } : {}),
      ...(newValue !== undefined ? { new: newValue } : {}),
    },
  ];
}

function toChange(
  kind: ChangeKind,
  r: RecordedResource,
  changes: InputChange[],
  replaceBecause: string[] = [],
): ResourceChange {
  return {
    kind,
    urn: urnKey(r.urn),
    type: r.type,
    name: r.name,
    ...(r.parent ? { parent: urnKey(r.parent) } : {}),
    dependsOn: r.dependsOn.map(urnKey),
    changes,
    replaceBecause,
  };
}

export function diffPlans(oldPlan: Plan, newPlan: Plan): PlanDiff {
  const before = new Map(oldPlan.resources.map((r) => [urnKey(r.urn), r]));
  const after = new Map(newPlan.resources.map((r) => [urnKey(r.urn), r]));
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  for (const [key, r] of after) {
    const old = before.get(key);
    if (!old) {
      changes.push(toChange("create", r, inputChanges(undefined, r.inputs)));
      continue;
    }
    const diff = inputChanges(old.inputs, r.inputs);
    if (!diff.length) {
      unchanged += 1;
      continue;
    }
    const forcing = diff
      .map((c) => c.path)
      .filter((p) => REPLACE_PATHS.some(([type, path]) => type.test(r.type) && path.test(p)));
    changes.push(toChange(forcing.length ? "replace" : "update", r, diff, forcing));
  }
  for (const [key, r] of before) {
    if (!after.has(key)) changes.push(toChange("delete", r, []));
  }
  changes.sort((a, b) => a.urn.localeCompare(b.urn));
  return { stack: newPlan.stack, against: oldPlan.stack, changes, unchanged };
}

export function summaryLine(diff: PlanDiff, plan: Plan): string {
  const count = (k: ChangeKind) => diff.changes.filter((c) => c.kind === k).length;
  const mandatory = plan.violations.filter((v) => isBlocking(v.enforcementLevel)).length;
  const advisory = plan.violations.filter((v) => !isBlocking(v.enforcementLevel)).length;
  return (
    `**${mdText(plan.stack)}** (against ${mdText(diff.against)}): +${count("create")} to create, ~${count("update")} to update, ` +
    `±${count("replace")} to replace, -${count("delete")} to delete, ${diff.unchanged} unchanged; ` +
    `policy: ${mandatory} mandatory, ${advisory} advisory` +
    (mandatory ? " ❌" : " ✅") +
    // Older local tools than the deployed Prometheus: say which versions judged the rules.
    ((plan.checks ?? []).length ? `; checked with ${toolVersions(plan.checks)}` : "")
  );
}

/** One resource's change: a summary line, dashboards summarised, the YAML diff, why it is replaced. */
function details(c: ResourceChange, inputs?: unknown): string {
  const dashboards = dashboardChanges(c)
    .map((d) => `- ${d}`)
    .join("\n");
  const why = c.replaceBecause.length
    ? [`Replaced because ${c.replaceBecause.map((p) => codeSpan(p)).join(", ")} changed.`]
    : [];
  const body =
    c.kind === "delete"
      ? "Deleted."
      : holdsNothing(c)
        ? "A component: nothing of its own, it holds the resources listed with it."
        : [dashboards, yamlDiff(c), ...why, ...changeNotes(c, inputs)].filter(Boolean).join("\n\n");
  return `<details><summary>${SYMBOL[c.kind]} ${c.kind} <code>${mdText(shortType(c.type))}</code> ${mdText(c.name)}</summary>\n\n${body}\n\n</details>`;
}

const shortType = (type: string) => type.split(":").slice(-1)[0];

/** A new component without inputs of its own (`kube-monitoring:…:AppMonitoring`): its diff would be `{}`. */
const holdsNothing = (c: ResourceChange) =>
  c.kind === "create" &&
  c.changes.every(
    (x) =>
      x.path === "" &&
      x.old === undefined &&
      typeof x.new === "object" &&
      x.new !== null &&
      !Object.keys(x.new).length,
  );

/** Mandatory violations shown in the head per stack and policy; the rest are counted. */
const HEAD_PER_POLICY = 3;
/** Violation rows per stack's table; the rest are summarised per policy. */
const TABLE_ROWS = 200;
/** Longest message shown in a row; longer ones are cut with an ellipsis. */
const MESSAGE_CHARS = 500;

type Violation = Plan["violations"][number];

const resourceOf = (v: Violation) => mdText(shortName(String(v.urn ?? "")));
const messageOf = (v: Violation) => {
  const text = String(v.message ?? "");
  return mdText(text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : text);
};

/** Violations grouped by policy, in the order first seen. */
function byPolicy(violations: Violation[]): Map<string, Violation[]> {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) groups.set(String(v.policy), [...(groups.get(String(v.policy)) ?? []), v]);
  return groups;
}

/** A stack's loosenings and mandatory violations: every policy in view, a few of each, the rest counted. */
function headLines(plan: Plan, base?: Plan): string[] {
  const stack = mdText(plan.stack);
  // Loosenings the base already had are listed, collapsed, in the stack's section.
  const loosened = splitFindings(plan, base).newLoosened.map(
    (l) => `> ⚠️ **${stack}**, new in this PR: ${looseningText(l)}`,
  );
  const mandatory = byPolicy(plan.violations.filter((v) => isBlocking(v.enforcementLevel)));
  const violations = [...mandatory].flatMap(([policy, found]) => [
    ...found
      .slice(0, HEAD_PER_POLICY)
      .map((v) => `- ❌ **${stack}** ${codeSpan(policy)} ${resourceOf(v)}: ${messageOf(v)}`),
    ...(found.length > HEAD_PER_POLICY
      ? [`- ❌ **${stack}** ${codeSpan(policy)}: … and ${found.length - HEAD_PER_POLICY} more violations`]
      : []),
  ]);
  return [...loosened, ...violations];
}

/** Violations as table rows, mandatory first, at most TABLE_ROWS, then a count per policy. */
function violationsTable(found: Violation[]): string {
  const violations = [...found].sort((a, b) =>
    `${isBlocking(a.enforcementLevel) ? 0 : 1}${a.policy}${a.urn}${a.message}`.localeCompare(
      `${isBlocking(b.enforcementLevel) ? 0 : 1}${b.policy}${b.urn}${b.message}`,
    ),
  );
  const rows = violations
    .slice(0, TABLE_ROWS)
    .map(
      (v) =>
        `| ${mdText(String(v.enforcementLevel))} | ${codeSpan(String(v.policy), true)} | ${resourceOf(v)} | ${messageOf(v)} |`,
    );
  const rest = byPolicy(violations.slice(TABLE_ROWS));
  const summary = [...rest].map(([policy, n]) => `- ${codeSpan(policy)}: ${n.length} more`);
  return (
    "| level | policy | resource | message |\n|---|---|---|---|\n" +
    rows.join("\n") +
    (summary.length ? `\n\nNot listed above, per policy:\n${summary.join("\n")}` : "")
  );
}

/** New findings in full; those the base plan had already, and its loosenings, collapsed. */
function findingsBlock(plan: Plan, base?: Plan): string | undefined {
  const split = splitFindings(plan, base);
  if (!plan.violations.length && !plan.loosened.length) return undefined;
  const parts = [
    split.newViolations.length
      ? `**New findings in this PR** (${split.newViolations.length})\n\n${violationsTable(split.newViolations)}`
      : "No new policy findings in this PR.",
  ];
  if (split.presentViolations.length || split.presentLoosened.length) {
    parts.push(
      `<details><summary>Already present before this PR: ${split.presentViolations.length} findings, ` +
        `${split.presentLoosened.length} loosened levels or settings</summary>\n\n` +
        [
          ...split.presentLoosened.map((l) => `- ${looseningText(l)}`),
          ...(split.presentViolations.length ? ["", violationsTable(split.presentViolations)] : []),
        ].join("\n") +
        "\n\n</details>",
    );
  }
  return parts.join("\n\n");
}

/**
 * The PR comment for one or more stacks: summary lines first (never truncated), then each stack's
 * loosenings and mandatory violations (every policy in view, the rest counted), then its violations
 * table, graph and per-resource details, cut to stay under GitHub's comment limit in every case.
 * Everything from input is escaped for where it lands (see escape.ts).
 */
export function renderMarkdown(
  /** Each stack's diff, its head plan and, when there is one, its base plan (for what is new). */
  entries: { diff: PlanDiff; plan: Plan; base?: Plan }[],
  limit = COMMENT_LIMIT,
  /** Stacks whose plan failed before writing plan.json: they head the comment, never vanish from it. */
  failed: string[] = [],
): string {
  const marker = "<!-- kube-monitoring offline plan -->";
  const summary = [
    marker,
    "## Offline plan",
    "",
    ...failed.map(
      (stack) => `- ❌ **${mdText(stack)}**: the plan failed and wrote no plan.json; see the job log`,
    ),
    ...entries.map((e) => `- ${summaryLine(e.diff, e.plan)}`),
    "",
  ];
  // Each stack's head gets an equal share of half the limit; what does not fit is counted, never silent.
  const headShare = Math.floor(limit / 2 / Math.max(1, entries.length));
  const heads = entries.map(({ plan, base }) => {
    const lines = headLines(plan, base);
    const kept: string[] = [];
    let used = 0;
    for (const line of lines) {
      if (used + line.length + 1 > headShare - 200) {
        kept.push(
          `- ❌ **${mdText(plan.stack)}**: … ${lines.length - kept.length} more lines in the plan artifacts`,
        );
        break;
      }
      kept.push(line);
      used += line.length + 1;
    }
    return kept;
  });
  const head = [...summary, ...heads.flat(), ""].join("\n");
  // Whole blocks only: a violations table, the graph, one resource's details. Each stack gets an equal
  // share of what the head leaves (what one does not use passes on), and says when it was cut.
  // A resource's details are rendered only when the section still has room for them.
  const stacks = entries.map(({ diff, plan, base }) => {
    const blocks: (() => string)[] = [];
    const findings = findingsBlock(plan, base);
    if (findings) blocks.push(() => findings);
    const alerts = alertsTable(base?.alertRouting, plan.alertRouting);
    if (alerts) blocks.push(() => alerts);
    const graph = structureGraph(diff);
    if (graph) blocks.push(() => graph);
    const inputs = new Map(plan.resources.map((r) => [urnKey(r.urn), r.inputs]));
    if (diff.changes.length) blocks.push(...diff.changes.map((c) => () => details(c, inputs.get(c.urn))));
    else blocks.push(() => "No changes.");
    return { stack: mdText(plan.stack), blocks };
  });
  let budget = limit - head.length - 200 * (entries.length + 1);
  const sections: string[] = [];
  stacks.forEach(({ stack, blocks }, i) => {
    const share = budget / (stacks.length - i);
    let section = `### ${stack}`;
    for (const render of blocks) {
      const block = render();
      if (section.length + block.length + 2 > share) {
        section += `\n\n_${stack}: details cut to stay under GitHub's ${limit}-character comment limit; see the plan artifacts._`;
        break;
      }
      section += `\n\n${block}`;
    }
    budget -= section.length + 2;
    sections.push(section);
  });
  const comment = `${head}\n${sections.join("\n\n")}\n`;
  // The last guard: the summary lines alone could exceed the limit with absurdly many stacks.
  if (comment.length < limit) return comment;
  const note = "\n\n_Cut to stay under GitHub's comment limit; see the plan artifacts._\n";
  return comment.slice(0, limit - note.length - 1) + note;
}
