/**
 * The plan's routing table: for every alert the stack creates, the receivers it reaches in the
 * effective Alertmanager tree (policies/ownership.ts walks it as Alertmanager does), written to
 * `manifests/alert-routing.md` and `plan.json` (`alertRouting`).
 */
import { RoutedAlert, alertOwnership, alertRouting } from "../policies/ownership";
import type { RecordedResource } from "./runtime";

type Violation = { policy: string; enforcementLevel: "mandatory" | "advisory"; urn: string; message: string };

export function routingTable(resources: readonly RecordedResource[]): RoutedAlert[] | undefined {
  return alertRouting(resources.map((r) => ({ type: r.type, props: r.inputs })));
}

/** The alert-ownership findings of a table, for a plan judged with the platform's tree as context. */
export function ownershipViolations(
  table: readonly RoutedAlert[],
  resources: readonly RecordedResource[],
): Violation[] {
  const urn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
  return table
    .filter((a) => a.problem)
    .map((a) => ({
      policy: alertOwnership.name,
      enforcementLevel: "mandatory",
      urn,
      message: `alert ${a.alert}${a.kube ? " (the chart's kube alerts)" : ""} in namespace ${a.namespace}: ${a.problem}`,
    }));
}

/** Text from config, safe in a Markdown table cell: no control characters, markup or pipes. */
export function cell(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]/gu, " ")
    .replace(/[\\`*_[\]<>|#~&]/g, (c) => `&#${c.charCodeAt(0)};`)
    .slice(0, 200);
}

export function alertRoutingMarkdown(stack: string, table: readonly RoutedAlert[]): string {
  const rows = [...table].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.alert.localeCompare(b.alert),
  );
  const problems = rows.filter((a) => a.problem).length;
  return [
    `# Alert routing: ${cell(stack)}`,
    "",
    "Every alert the stack creates, and a kube alert (KubePodCrashLooping) standing in for the chart's",
    "alerts about each namespace with its own routing, with the receivers it reaches in order.",
    "`then dropped` means the platform's tree ends it at `null` after its owner's receivers.",
    "",
    `${rows.length} alerts, ${problems} reaching the wrong owner or nobody.`,
    "",
    "| Alert | Namespace | Severity | Receivers | Note |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (a) =>
        `| ${cell(a.alert)}${a.kube ? " (kube)" : ""} | ${cell(a.namespace)} | ${cell(a.severity)} | ` +
        `${a.receivers.map(cell).join(", ") || "none"} | ${a.problem ? `**${cell(a.problem)}**` : a.swallowed ? "then dropped" : ""} |`,
    ),
    "",
  ].join("\n");
}
