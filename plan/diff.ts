/**
 * The offline diff: two plans compared resource by resource, rendered as a bounded, deterministic PR
 * comment. Resources match by URN with the stack left out, so a plan can be compared with another
 * stack's as well as with its own base. Helm values are compared key path by key path.
 */
import { isBlocking } from "../policies/settingsDelta";
import type { Plan } from "./plan";
import type { RecordedResource } from "./runtime";

export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface InputChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  parent?: string;
  dependsOn: string[];
  changes: InputChange[];
  /** Why a change is a replacement (the input paths that force one). */
  replaceBecause: string[];
}

export interface PlanDiff {
  stack: string;
  against: string;
  changes: ResourceChange[];
  unchanged: number;
}

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

const SYMBOL: Record<ChangeKind, string> = { create: "+", update: "~", replace: "±", delete: "-" };

export function summaryLine(diff: PlanDiff, plan: Plan): string {
  const count = (k: ChangeKind) => diff.changes.filter((c) => c.kind === k).length;
  const mandatory = plan.violations.filter((v) => isBlocking(v.enforcementLevel)).length;
  const advisory = plan.violations.filter((v) => !isBlocking(v.enforcementLevel)).length;
  return (
    `**${plan.stack}** (against ${diff.against}): +${count("create")} to create, ~${count("update")} to update, ` +
    `±${count("replace")} to replace, -${count("delete")} to delete, ${diff.unchanged} unchanged; ` +
    `policy: ${mandatory} mandatory, ${advisory} advisory` +
    (mandatory ? " ❌" : " ✅")
  );
}

const show = (v: unknown) =>
  v === undefined ? "—" : `\`${JSON.stringify(v).replaceAll("`", "'").replaceAll("|", "\\|")}\``;
const shortType = (type: string) => type.split(":").slice(-1)[0];
const mermaidId = (i: number) => `r${i}`;
const mermaidLabel = (c: { kind: ChangeKind; type: string; name: string }) =>
  `"${SYMBOL[c.kind]} ${shortType(c.type)} ${c.name}"`.replaceAll("`", "'");

/** A Mermaid graph of the changed resources, with their parents and dependencies. */
export function mermaidGraph(diff: PlanDiff, limit = 60): string {
  const shown = diff.changes.slice(0, limit);
  const ids = new Map(shown.map((c, i) => [c.urn, mermaidId(i)]));
  const lines = ["```mermaid", "graph LR"];
  shown.forEach((c, i) => lines.push(`  ${mermaidId(i)}[${mermaidLabel(c)}]`));
  for (const c of shown) {
    if (c.parent && ids.has(c.parent)) lines.push(`  ${ids.get(c.parent)} --> ${ids.get(c.urn)}`);
    for (const d of c.dependsOn) if (ids.has(d)) lines.push(`  ${ids.get(d)} -.-> ${ids.get(c.urn)}`);
  }
  if (diff.changes.length > limit) lines.push(`  more["… ${diff.changes.length - limit} more"]`);
  lines.push("```");
  return lines.join("\n");
}

function details(c: ResourceChange, maxRows: number): string {
  const rows = c.changes
    .slice(0, maxRows)
    .map((x) => `| \`${x.path || "(all)"}\` | ${show(x.old)} | ${show(x.new)} |`);
  const more = c.changes.length > maxRows ? `\n\n… ${c.changes.length - maxRows} more changed paths` : "";
  const why = c.replaceBecause.length
    ? `\n\nReplaced because ${c.replaceBecause.map((p) => `\`${p}\``).join(", ")} changed.`
    : "";
  const body =
    c.kind === "delete" ? "Deleted." : `| path | old | new |\n|---|---|---|\n${rows.join("\n")}${more}${why}`;
  return `<details><summary>${SYMBOL[c.kind]} ${c.kind} <code>${shortType(c.type)}</code> ${c.name}</summary>\n\n${body}\n\n</details>`;
}

/**
 * The PR comment for one or more stacks: summary lines first (never truncated), then each stack's policy
 * violations, its graph and per-resource details, cut to stay under GitHub's comment limit.
 */
export function renderMarkdown(
  entries: { diff: PlanDiff; plan: Plan }[],
  limit = COMMENT_LIMIT,
  /** Stacks whose plan failed before writing plan.json: they head the comment, never vanish from it. */
  failed: string[] = [],
): string {
  const marker = "<!-- kube-monitoring offline plan -->";
  const head = [
    marker,
    "## Offline plan",
    "",
    ...failed.map((stack) => `- ❌ **${stack}**: the plan failed and wrote no plan.json; see the job log`),
    ...entries.map((e) => `- ${summaryLine(e.diff, e.plan)}`),
    "",
    // Never cut: a loosened gate and every mandatory violation, whatever the size of the diff.
    ...entries.flatMap(({ plan }) =>
      (plan.loosened ?? []).map((l) =>
        l.setting
          ? `> ⚠️ **${plan.stack}**: \`${l.policy}.${l.setting}\` is **${l.to}** (default ${l.from}), set in \`${l.file}\``
          : `> ⚠️ **${plan.stack}**: \`${l.policy}\` is **${l.to}** (mandatory by default), set in \`${l.file}\``,
      ),
    ),
    ...entries.flatMap(({ plan }) =>
      plan.violations
        .filter((v) => isBlocking(v.enforcementLevel))
        .map(
          (v) =>
            `- ❌ **${plan.stack}** \`${v.policy}\` ${v.urn.split("::").pop()}: ${v.message.replaceAll("|", "\\|")}`,
        ),
    ),
    "",
  ].join("\n");
  // Whole blocks only: a heading, a violations table, the graph, one resource's details. Each stack gets
  // an equal share of what the head leaves (what one does not use passes on), and says when it was cut.
  const stacks = entries.map(({ diff, plan }) => {
    const blocks: string[] = [];
    const violations = [...plan.violations].sort((a, b) =>
      `${isBlocking(a.enforcementLevel) ? 0 : 1}${a.policy}${a.urn}${a.message}`.localeCompare(
        `${isBlocking(b.enforcementLevel) ? 0 : 1}${b.policy}${b.urn}${b.message}`,
      ),
    );
    if (violations.length) {
      blocks.push(
        "| level | policy | resource | message |\n|---|---|---|---|\n" +
          violations
            .map(
              (v) =>
                `| ${v.enforcementLevel} | \`${v.policy}\` | ${v.urn.split("::").pop()} | ${v.message.replaceAll("|", "\\|")} |`,
            )
            .join("\n"),
      );
    }
    if (diff.changes.length) blocks.push(mermaidGraph(diff), ...diff.changes.map((c) => details(c, 40)));
    else blocks.push("No changes.");
    return { stack: plan.stack, blocks };
  });
  let budget = limit - head.length - 200 * (entries.length + 1);
  const sections: string[] = [];
  stacks.forEach(({ stack, blocks }, i) => {
    const share = budget / (stacks.length - i);
    let section = `### ${stack}`;
    for (const block of blocks) {
      if (section.length + block.length + 2 > share) {
        section += `\n\n_${stack}: details cut to stay under GitHub's ${limit}-character comment limit; see the plan artifacts._`;
        break;
      }
      section += `\n\n${block}`;
    }
    budget -= section.length + 2;
    sections.push(section);
  });
  return `${head}\n${sections.join("\n\n")}\n`;
}
