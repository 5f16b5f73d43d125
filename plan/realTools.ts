/**
 * Checks with the real Prometheus tools: `promtool check rules` on every rule file the plan holds, and
 * `amtool check-config` on the Alertmanager configuration the operator would build. When a tool is not
 * on PATH the check says so; under CI (CI=true) a missing tool is a failure, never a skip.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { effectiveAlertmanagerConfig, ruleFiles } from "./alertmanagerConfig";
import type { RecordedResource } from "./runtime";

export type CheckStatus = "passed" | "failed" | "skipped";

export interface ToolCheck {
  tool: "promtool" | "amtool";
  status: CheckStatus;
  /** What was checked (rule files or the Alertmanager config) and the tool's own output. */
  subject: string;
  output: string;
}

export function onPath(tool: string): boolean {
  return spawnSync(tool, ["--version"], { encoding: "utf8" }).status === 0;
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

export function runRealToolChecks(resources: RecordedResource[]): ToolCheck[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-checks-"));
  try {
    const checks: ToolCheck[] = [];
    const files = ruleFiles(resources);
    if (files.length) {
      const subject = files.map((f) => f.name).join(", ");
      if (!onPath("promtool")) checks.push(missing("promtool", subject));
      else {
        for (const f of files)
          fs.writeFileSync(path.join(dir, f.name), stringify({ groups: f.groups }, { lineWidth: 0 }));
        const run = spawnSync("promtool", ["check", "rules", ...files.map((f) => path.join(dir, f.name))], {
          encoding: "utf8",
        });
        checks.push({
          tool: "promtool",
          subject,
          status: run.status === 0 ? "passed" : "failed",
          output: (run.stdout + run.stderr).trim().replaceAll(dir + path.sep, ""),
        });
      }
    }
    const config = effectiveAlertmanagerConfig(resources);
    if (Object.keys(config).length) {
      const subject = "effective Alertmanager configuration";
      if (!onPath("amtool")) checks.push(missing("amtool", subject));
      else {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, stringify(config, { lineWidth: 0 }));
        const run = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
        checks.push({
          tool: "amtool",
          subject,
          status: run.status === 0 ? "passed" : "failed",
          output: (run.stdout + run.stderr).trim().replaceAll(dir + path.sep, ""),
        });
      }
    }
    return checks;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
