/**
 * Checks with the real Prometheus tools: `promtool check rules` on every rule file the plan holds, and
 * `amtool check-config` on the Alertmanager configuration the operator would build. When a tool is not
 * on PATH the check says so; under CI (CI=true) a missing tool is a failure, never a skip.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { effectiveAlertmanagerConfig, ruleFiles } from "./alertmanagerConfig";
import type { RecordedResource } from "./runtime";

export type CheckStatus = "passed" | "failed" | "skipped";

/** promtool's lints, fatal: a duplicate rule (same name and labels) records or fires twice. */
export const PROMTOOL_LINT = ["--lint=duplicate-rules", "--lint-fatal"];

export interface ToolCheck {
  tool: "promtool" | "amtool";
  status: CheckStatus;
  /** What was checked (rule files or the Alertmanager config) and the tool's own output. */
  subject: string;
  output: string;
}

const found = new Map<string, boolean>();

/** Whether `tool` runs; asked once per tool and PATH, since every plan asks. */
export function onPath(tool: string): boolean {
  const key = `${tool}\0${process.env.PATH ?? ""}`;
  if (!found.has(key)) found.set(key, spawnSync(tool, ["--version"], { encoding: "utf8" }).status === 0);
  return found.get(key)!;
}

function missing(tool: ToolCheck["tool"], subject: string): ToolCheck {
  const required = process.env.CI === "true";
  return {
    tool,
    subject,
    status: required ? "failed" : "skipped",
    output: `${tool} is not on PATH${required ? " (required under CI: install the Debian package)" : "; install it to run this check"}`,
  };
}

/** Runs a tool to completion; resolves with its exit status and output. */
function run(tool: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool, args);
    let output = "";
    child.stdout.on("data", (d) => (output += String(d)));
    child.stderr.on("data", (d) => (output += String(d)));
    child.on("error", (err) => resolve({ status: null, output: err.message }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** Splits `items` into at most `n` chunks of near-equal size. */
function chunks<T>(items: T[], n: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, n));
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

/**
 * promtool on the rule files of `resources`, amtool on the Alertmanager configuration they make with
 * `alertmanagerContext` (for a team stack: the platform's release and AlertmanagerConfigs).
 */
export async function runRealToolChecks(
  resources: RecordedResource[],
  alertmanagerContext: RecordedResource[] = [],
): Promise<ToolCheck[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-checks-"));
  const clean = (text: string) => text.trim().replaceAll(dir + path.sep, "");
  try {
    const pending: Promise<ToolCheck>[] = [];
    const files = ruleFiles(resources);
    if (files.length) {
      // promtool names each file (<namespace>-<name>.rules.yaml) in its own output.
      const subject = files.length === 1 ? files[0].name : `${files.length} rule files`;
      if (!onPath("promtool")) pending.push(Promise.resolve(missing("promtool", subject)));
      else {
        // JSON is YAML, and far cheaper to write for thousands of rules.
        for (const f of files)
          fs.writeFileSync(path.join(dir, f.name), JSON.stringify({ groups: f.groups }, null, 1));
        // promtool checks files one after another; split them over the cores.
        const batches = chunks(files, os.availableParallelism());
        pending.push(
          Promise.all(
            batches.map((b) =>
              run("promtool", ["check", "rules", ...PROMTOOL_LINT, ...b.map((f) => path.join(dir, f.name))]),
            ),
          ).then((runs): ToolCheck => ({
            tool: "promtool",
            subject,
            status: runs.every((r) => r.status === 0) ? "passed" : "failed",
            output: clean(runs.map((r) => r.output.trim()).join("\n")),
          })),
        );
      }
    }
    const config = effectiveAlertmanagerConfig([...alertmanagerContext, ...resources]);
    if (Object.keys(config).length) {
      const subject = "effective Alertmanager configuration";
      if (!onPath("amtool")) pending.push(Promise.resolve(missing("amtool", subject)));
      else {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, stringify(config, { lineWidth: 0 }));
        pending.push(
          run("amtool", ["check-config", file]).then((r): ToolCheck => ({
            tool: "amtool",
            subject,
            status: r.status === 0 ? "passed" : "failed",
            output: clean(r.output),
          })),
        );
      }
    }
    return await Promise.all(pending);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
