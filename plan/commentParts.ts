/**
 * The parts of the PR comment a reviewer reads: objects and value changes as YAML diffs (credentials
 * redacted, dashboards summarised), findings split into new and already present, the alerts table (who
 * each new or changed alert reaches), and a structure graph only where there is structure.
 */
import { stringify } from "yaml";
import type { RoutedAlert } from "../policies/ownership";
import { codeSpan, fence, mdText } from "./escape";
import type { ChangeKind, InputChange, PlanDiff, ResourceChange } from "./diffTypes";

import type { Loosening, Violation } from "../policies/harness";

export const SYMBOL: Record<ChangeKind, string> = { create: "+", update: "~", replace: "±", delete: "-" };
export const REDACTED = "[redacted]";
/** Lines of one resource's YAML diff; the rest are counted. */
const DIFF_LINES = 120;

/** Keys whose values are credentials or may hold them. */
const CREDENTIAL_KEY =
  /(password|passwd|token|secret|apikey|api_key|routingkey|routing_key|servicekey|service_key|credentials|apiurl|api_url)$/i;

/** A copy with every credential-like value (and every value of a Secret's data) redacted. */
export function redact(value: unknown, secretData = false, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, secretData, key));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        secretData && (k === "data" || k === "stringData") ? redactAll(v) : redact(v, secretData, k),
      ]),
    );
  }
  return typeof value === "string" && CREDENTIAL_KEY.test(key) && value !== "" ? REDACTED : value;
}

const redactAll = (v: unknown): unknown =>
  v && typeof v === "object" ? Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED])) : REDACTED;

export interface DashboardSummary {
  title: string;
  uid?: string;
  panels: string[];
}

/** A Grafana dashboard's title, uid and panel titles (rows' panels included), or undefined. */
export function dashboardOf(text: unknown): DashboardSummary | undefined {
  if (typeof text !== "string" || !text.trimStart().startsWith("{")) return undefined;
  let json: { title?: unknown; uid?: unknown; panels?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(json?.panels) || typeof json.title !== "string") return undefined;
  const titles = (panels: unknown[]): string[] =>
    panels.flatMap((p) => {
      const panel = p as { title?: unknown; panels?: unknown };
      return [
        String(panel?.title ?? "(untitled)"),
        ...(Array.isArray(panel?.panels) ? titles(panel.panels) : []),
      ];
    });
  return {
    title: json.title,
    uid: typeof json.uid === "string" ? json.uid : undefined,
    panels: titles(json.panels),
  };
}

/** `dashboard "Title" (uid), 3 panels`, for a YAML value in place of the JSON. */
const dashboardLine = (d: DashboardSummary) =>
  `<dashboard ${JSON.stringify(d.title)}${d.uid ? ` (uid ${d.uid})` : ""}, ${d.panels.length} panels>`;

/** Values with dashboards replaced by their one-line summary. */
function withDashboards(value: unknown): unknown {
  const d = dashboardOf(value);
  if (d) return dashboardLine(d);
  if (Array.isArray(value)) return value.map(withDashboards);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDashboards(v)]));
  return value;
}

const yamlLines = (value: unknown) => stringify(value, { lineWidth: 0 }).replace(/\n$/, "").split("\n");

/** The dashboards a change creates, updates or deletes: title and panels added and removed. */
export function dashboardChanges(c: ResourceChange): string[] {
  return c.changes.flatMap((x) => {
    const before = dashboardOf(x.old);
    const after = dashboardOf(x.new);
    const pairs: [DashboardSummary | undefined, DashboardSummary | undefined][] =
      x.path === "" ? dashboardsIn(x.old, x.new) : [[before, after]];
    return pairs.flatMap(([o, n]) => {
      if (!o && !n) return [];
      if (!o)
        return [
          `dashboard ${mdText(JSON.stringify(n!.title))}: new, ${n!.panels.length} panels: ${n!.panels.map((p) => mdText(p)).join(", ")}`,
        ];
      if (!n) return [`dashboard ${mdText(JSON.stringify(o.title))}: removed`];
      const added = n.panels.filter((p) => !o.panels.includes(p));
      const removed = o.panels.filter((p) => !n.panels.includes(p));
      return [
        `dashboard ${mdText(JSON.stringify(n.title))}${o.title !== n.title ? ` (was ${mdText(JSON.stringify(o.title))})` : ""}: ` +
          `panels added: ${added.map((p) => mdText(p)).join(", ") || "none"}; removed: ${removed.map((p) => mdText(p)).join(", ") || "none"}`,
      ];
    });
  });
}

function dashboardsIn(
  old: unknown,
  now: unknown,
): [DashboardSummary | undefined, DashboardSummary | undefined][] {
  const data = (v: unknown) =>
    ((v as { data?: Record<string, unknown> })?.data ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(data(old)), ...Object.keys(data(now))])].sort();
  return keys.map((k) => [dashboardOf(data(old)[k]), dashboardOf(data(now)[k])]);
}

/** One resource's change as a `diff` block: the whole object for a creation, else each changed value. */
export function yamlDiff(c: ResourceChange): string {
  const secret = c.type.endsWith(":Secret");
  const clean = (x: InputChange, v: unknown) => {
    const last =
      x.path
        .split(/[.[\]]/)
        .filter(Boolean)
        .pop() ?? "";
    const inSecretData = secret && /^(data|stringData)(\.|$)/.test(x.path);
    return inSecretData ? REDACTED : withDashboards(redact(v, secret, last));
  };
  const lines: string[] = [];
  for (const x of c.changes) {
    if (x.path !== "") lines.push(`@@ ${x.path} @@`);
    if (x.old !== undefined) lines.push(...yamlLines(clean(x, x.old)).map((l) => `- ${l}`));
    if (x.new !== undefined) lines.push(...yamlLines(clean(x, x.new)).map((l) => `+ ${l}`));
  }
  const shown = lines.slice(0, DIFF_LINES);
  if (lines.length > shown.length)
    shown.push(`# … ${lines.length - shown.length} more lines in the plan artifacts`);
  return fence(shown.join("\n"), "diff");
}

/** The value at a path like `spec.route.routes[3]` in `inputs`. */
function at(inputs: unknown, path: string): unknown {
  return path
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== "")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      inputs,
    );
}

/**
 * Why a change may surprise: a changed route whose receiver is `null` is the platform's tree dropping a
 * namespace's alerts after the namespace's owner has them, not alerts being lost.
 */
export function changeNotes(c: ResourceChange, inputs?: unknown): string[] {
  const routes = new Set(
    c.changes.flatMap((x) => {
      const route = /^(.*\broutes\[\d+\])(\.|$)/.exec(x.path)?.[1];
      const receiver = route && (at(inputs, `${route}.receiver`) ?? at(x.new, "receiver"));
      return route && receiver === "null" ? [route] : [];
    }),
  );
  return [...routes].map(
    (route) =>
      `${codeSpan(route)} goes to ${codeSpan("null")}: the platform's tree drops the alerts of namespaces a team owns ` +
      "after that owner's receivers have them (docs/ownership.md); the alerts table shows who each alert reaches.",
  );
}

const violationKey = (v: Violation) =>
  `${v.policy}\u0000${v.urn.replace(/^urn:pulumi:[^:]+::/, "")}\u0000${v.message}`;
const looseningKey = (l: Loosening) => `${l.policy}\u0000${l.setting ?? ""}\u0000${l.to}`;

/** Findings and loosenings split into new in this PR and already in the base plan. */
export function splitFindings<V extends Violation>(
  head: { violations: V[]; loosened: Loosening[] },
  base?: { violations: Violation[]; loosened?: Loosening[] },
) {
  const oldV = new Set((base?.violations ?? []).map(violationKey));
  const oldL = new Set((base?.loosened ?? []).map(looseningKey));
  return {
    newViolations: head.violations.filter((v) => !oldV.has(violationKey(v))),
    presentViolations: head.violations.filter((v) => oldV.has(violationKey(v))),
    newLoosened: head.loosened.filter((l) => !oldL.has(looseningKey(l))),
    presentLoosened: head.loosened.filter((l) => oldL.has(looseningKey(l))),
  };
}

export function looseningText(l: Loosening): string {
  return l.setting
    ? `${codeSpan(`${l.policy}.${l.setting}`)} is **${mdText(l.to)}** (default ${mdText(l.from)}), set in ${codeSpan(l.file)}`
    : `${codeSpan(l.policy)} is **${mdText(l.to)}** (mandatory by default), set in ${codeSpan(l.file)}`;
}

const alertKey = (a: RoutedAlert) => `${a.namespace}\u0000${a.alert}\u0000${a.kube}`;
const receiversOf = (a: RoutedAlert) =>
  a.receivers.length ? a.receivers.map((r) => codeSpan(r, true)).join(" → ") : "**nobody**";

/**
 * Each new, changed or removed alert with its severity and the receivers it reaches, from the two plans'
 * `alertRouting`; a note where the routing may surprise. Empty when no alert changes.
 */
export function alertsTable(
  base: readonly RoutedAlert[] | undefined,
  head: readonly RoutedAlert[] | undefined,
): string {
  const before = new Map((base ?? []).map((a) => [alertKey(a), a]));
  const after = new Map((head ?? []).map((a) => [alertKey(a), a]));
  const rows: string[] = [];
  const same = (a: RoutedAlert, b: RoutedAlert) =>
    a.severity === b.severity && a.swallowed === b.swallowed && a.receivers.join() === b.receivers.join();
  const note = (a: RoutedAlert, was?: RoutedAlert) =>
    [
      a.problem ? `**${mdText(a.problem)}**` : "",
      a.kube ? "stands in for the chart's kube alerts about the namespace" : "",
      a.swallowed ? "then dropped (`null`) by the platform's tree, after its owner's receivers" : "",
      was && was.receivers.join() !== a.receivers.join() ? `was ${receiversOf(was)}` : "",
      was && was.severity !== a.severity ? `severity was ${mdText(was.severity)}` : "",
    ]
      .filter(Boolean)
      .join("; ");
  const row = (a: RoutedAlert, change: string, was?: RoutedAlert) =>
    `| ${codeSpan(a.alert, true)} | ${mdText(a.namespace)} | ${mdText(a.severity)} | ${change} | ${receiversOf(a)} | ${note(a, was)} |`;
  for (const [key, a] of [...after].sort(([x], [y]) => x.localeCompare(y))) {
    const was = before.get(key);
    if (!was) rows.push(row(a, "new"));
    else if (!same(was, a)) rows.push(row(a, "changed", was));
  }
  for (const [key, a] of [...before].sort(([x], [y]) => x.localeCompare(y)))
    if (!after.has(key))
      rows.push(
        `| ${codeSpan(a.alert, true)} | ${mdText(a.namespace)} | ${mdText(a.severity)} | removed | — | |`,
      );
  if (!rows.length) return "";
  return [
    "**Alerts** (who each new or changed alert reaches, in order; all of them in `manifests/alert-routing.md`)",
    "",
    "| alert | namespace | severity | change | receivers | note |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

const mermaidLabel = (c: ResourceChange) =>
  `"${`${SYMBOL[c.kind]} ${c.type.split(":").pop()} ${c.name}`
    .replace(/[\r\n]+/g, " ")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")}"`;

/**
 * Components and the children that change under them, coloured by change, with a legend; only when a
 * two changed components have two changed children each (one is a list, which the details are).
 */
export function structureGraph(diff: PlanDiff, limit = 40): string | undefined {
  const changed = new Map(diff.changes.map((c) => [c.urn, c]));
  const parents = [
    ...new Set(diff.changes.map((c) => c.parent).filter((p): p is string => !!p && changed.has(p))),
  ];
  const groups = parents
    .map((p) => ({ parent: changed.get(p)!, children: diff.changes.filter((c) => c.parent === p) }))
    .filter((g) => g.children.length >= 2);
  // One component's children are a list, which the details below already are.
  if (groups.length < 2) return undefined;
  const nodes = [
    ...new Map(groups.flatMap((g) => [g.parent, ...g.children]).map((c) => [c.urn, c])).values(),
  ].slice(0, limit);
  const ids = new Map(nodes.map((c, i) => [c.urn, `r${i}`]));
  const lines = [
    "graph LR",
    ...nodes.map((c) => `  ${ids.get(c.urn)}[${mermaidLabel(c)}]:::${c.kind}`),
    ...nodes
      .filter((c) => c.parent && ids.has(c.parent))
      .map((c) => `  ${ids.get(c.parent!)} --> ${ids.get(c.urn)}`),
    "  classDef create fill:#d4f7d4,stroke:#2a7a2a",
    "  classDef update fill:#fff3c4,stroke:#9a7a00",
    "  classDef replace fill:#ffd8b0,stroke:#a85a00",
    "  classDef delete fill:#f7d4d4,stroke:#a82a2a",
  ];
  return [
    fence(lines.join("\n"), "mermaid"),
    "",
    "Legend: an arrow goes from a component to a resource it holds; + create (green), ~ update (yellow), ± replace (orange), - delete (red).",
  ].join("\n");
}
