// npm run check -- <files or dirs> [--format text|json] [--policy-config FILE]
// Lints existing YAML without a stack, as a CI step: Prometheus rule files, PrometheusRules,
// ServiceMonitors and PodMonitors, with the Services and workloads beside them. Runs the rule and monitor
// policies and promtool. Exit 0 clean, 2 a mandatory finding, 1 unreadable input.
import { useLeanStackTraces } from "./leanStacks";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { LineCounter, parseAllDocuments } from "yaml";
import { allPolicies } from "../policies/all";
import { PolicyConfigFile, PolicyInput, loadPolicyConfig, runPolicies } from "../policies/harness";
import { describeLoosening } from "../policies/settingsDelta";
import { logSafe } from "./escape";
import { monitorTargetsResolve, monitorTargetsVerifiable } from "../policies/monitors";
import { alertRuleQuality, alertRunbookUrl, ruleConventions } from "../policies/rules";
import { PROMTOOL_LINT, onPath } from "./realTools";

export const CHECK_POLICIES = [
  alertRuleQuality,
  ruleConventions,
  alertRunbookUrl,
  monitorTargetsResolve,
  monitorTargetsVerifiable,
];

export interface Finding {
  file: string;
  line: number;
  policy: string;
  level: string;
  message: string;
}

interface Loaded {
  resources: PolicyInput[];
  /** Where each resource came from, by URN. */
  origin: Map<string, { file: string; line: number }>;
  /** Rule files as promtool reads them: file → groups. */
  ruleFiles: { file: string; line: number; groups: unknown }[];
}

/** The YAML files under `inputs` (files as given, directories searched), sorted. */
export function yamlFiles(inputs: string[]): string[] {
  const found: string[] = [];
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else if (/\.ya?ml$/.test(p) || inputs.includes(p)) found.push(p);
  };
  for (const input of inputs) visit(input);
  return found.sort();
}

/** Kubernetes objects and rule files as the policies see plan resources. Throws on unreadable input. */
export function loadYaml(files: string[]): Loaded {
  const loaded: Loaded = { resources: [], origin: new Map(), ruleFiles: [] };
  for (const file of files) {
    const lines = new LineCounter();
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8"), { lineCounter: lines });
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length) throw new Error(`${file}: not YAML: ${doc.errors[0].message}`);
      const body = doc.toJS() as Record<string, unknown> | null;
      if (!body || typeof body !== "object") continue;
      const line = lines.linePos(doc.contents?.range[0] ?? 0).line;
      const add = (type: string, name: string, inputs: Record<string, unknown>) => {
        const urn = `urn:pulumi:check::check::${type}::${file}:${line}:${name}`;
        loaded.resources.push({ urn, type, name, dependsOn: [], inputs, protect: false });
        loaded.origin.set(urn, { file, line });
      };
      if (Array.isArray(body.groups) && !body.kind) {
        // A Prometheus rule file: checked as the PrometheusRule it would become.
        add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", path.basename(file), {
          kind: "PrometheusRule",
          metadata: { name: path.basename(file) },
          spec: { groups: body.groups },
        });
        loaded.ruleFiles.push({ file, line, groups: body.groups });
        continue;
      }
      const kind = body.kind as string | undefined;
      const apiVersion = String(body.apiVersion ?? "");
      if (!kind || !apiVersion) continue;
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
      const name = String((body.metadata as { name?: string } | undefined)?.name ?? kind);
      add(`kubernetes:${group}/${version}:${kind}`, name, body);
      if (kind === "PrometheusRule") {
        loaded.ruleFiles.push({ file, line, groups: (body.spec as { groups?: unknown })?.groups ?? [] });
      }
    }
  }
  return loaded;
}

/** Policy findings and promtool's verdict on every rule file. */
export function check(files: string[], policyConfig: PolicyConfigFile = {}): Finding[] {
  const loaded = loadYaml(files);
  const findings: Finding[] = runPolicies(loaded.resources, CHECK_POLICIES, policyConfig).map((v) => {
    const at = loaded.origin.get(v.urn) ?? { file: files[0] ?? "", line: 1 };
    return { ...at, policy: v.policy, level: v.enforcementLevel, message: v.message };
  });
  if (loaded.ruleFiles.length && onPath("promtool")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-check-"));
    try {
      for (const [i, r] of loaded.ruleFiles.entries()) {
        const file = path.join(dir, `${i}.rules.json`);
        fs.writeFileSync(file, JSON.stringify({ groups: r.groups }));
        const run = spawnSync("promtool", ["check", "rules", ...PROMTOOL_LINT, file], { encoding: "utf8" });
        if (run.status !== 0) {
          const output = `${run.stdout}${run.stderr}`.replaceAll(file, r.file).trim().replace(/\s+/g, " ");
          findings.push({
            file: r.file,
            line: r.line,
            policy: "promtool",
            level: "mandatory",
            message: output,
          });
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return findings;
}

/** `file:line: policy: message`, advisory findings marked as such. */
export const formatFinding = (f: Finding) =>
  `${f.file}:${f.line}: ${f.policy}${f.level === "mandatory" ? "" : ` (${f.level})`}: ${f.message}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: "string", default: "text" }, "policy-config": { type: "string" } },
  });
  if (!positionals.length || !["text", "json"].includes(values.format)) {
    console.error("usage: npm run check -- <files or dirs> [--format text|json] [--policy-config FILE]");
    return 1;
  }
  let findings: Finding[];
  try {
    const missing = positionals.find((p) => !fs.existsSync(p));
    if (missing) throw new Error(`${missing}: no such file or directory`);
    // A stack's policy config (policies/config.<stack>.json), validated as the plan validates it.
    const file = values["policy-config"];
    const stack = file && /^config\.(.+)\.json$/.exec(path.basename(file))?.[1];
    if (file && !stack) throw new Error(`--policy-config ${file}: expected a file named config.<stack>.json`);
    const loaded = file && stack ? loadPolicyConfig(stack, path.dirname(file), allPolicies) : undefined;
    for (const l of loaded?.loosened ?? []) console.error(logSafe(describeLoosening(l, stack || "")));
    const config = loaded?.settings ?? {};
    findings = check(yamlFiles(positionals), config);
  } catch (err) {
    console.error(logSafe((err as Error).message));
    return 1;
  }
  if (values.format === "json") console.log(JSON.stringify(findings, null, 2));
  else for (const f of findings) console.log(logSafe(formatFinding(f)));
  return findings.some((f) => f.level === "mandatory") ? 2 : 0;
}

if (require.main === module) {
  useLeanStackTraces();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
