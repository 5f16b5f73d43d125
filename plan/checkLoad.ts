/**
 * `npm run check`'s input: YAML files read as the policies see plan resources, with the line of every
 * object and of every rule (its `alert:` or `record:` key), so each finding points at its rule.
 */
import * as fs from "node:fs";
import { InputFileError, SIZE_CAPS, readInputFile } from "../components/inputFile";
import * as path from "node:path";
import { Document, LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { PolicyInput } from "../policies/harness";
import { ruleWhere } from "../policies/rules";

/** Input `npm run check` cannot read: exit 1, the message names the file and line. */
export class InputError extends Error {}

export interface RuleFile {
  file: string;
  /** The line of the document. */
  line: number;
  groups: unknown[];
  /** The line of rule `r` of group `g`: lines[g][r]. */
  lines: number[][];
}

export interface Origin {
  file: string;
  line: number;
  /** For rules: how the policies name each rule (ruleWhere), and its line. */
  rules: Map<string, number>;
}

export interface Loaded {
  resources: PolicyInput[];
  /** Where each resource came from, by URN. */
  origin: Map<string, Origin>;
  /** Rule files as promtool reads them. */
  ruleFiles: RuleFile[];
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

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Shape problems Prometheus would refuse to load, as `[path, expected]`: groups a list of maps with a
 * name and a list of rules, each rule a map with exactly one of alert or record, and an expr.
 */
function shapeProblem(groups: unknown): [(string | number)[], string] | undefined {
  if (!Array.isArray(groups)) return [[], "a list of rule groups"];
  for (const [g, group] of groups.entries()) {
    if (!isObject(group)) return [[g], "a rule group (a map with name and rules)"];
    if (typeof group.name !== "string" || !group.name) return [[g], "a group name (name: …)"];
    if (!Array.isArray(group.rules)) return [[g, "rules"], "a list of rules"];
    for (const [r, rule] of group.rules.entries()) {
      if (!isObject(rule)) return [[g, "rules", r], "a rule (a map with alert or record, and expr)"];
      if ((rule.alert === undefined) === (rule.record === undefined))
        return [[g, "rules", r], "exactly one of alert or record"];
      if (rule.expr === undefined || rule.expr === null || rule.expr === "")
        return [[g, "rules", r], "an expr"];
    }
  }
  return undefined;
}

/** `groups[0].rules[1]` */
const showPath = (base: string, p: (string | number)[]) =>
  base + p.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("");

/** Kubernetes objects and rule files as the policies see plan resources. Throws InputError. */
export function loadYaml(files: string[]): Loaded {
  const loaded: Loaded = { resources: [], origin: new Map(), ruleFiles: [] };
  for (const file of files) {
    const lines = new LineCounter();
    let text: string;
    try {
      // A regular file (no FIFO, device or /proc entry), at most the rule file cap, never quoted.
      text = readInputFile(file, { maxBytes: SIZE_CAPS.ruleFile });
    } catch (err) {
      if (err instanceof InputFileError) throw new InputError(err.message);
      throw new InputError(`${file}: cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    const lineAt = (offset: number | undefined) => lines.linePos(offset ?? 0).line;
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      if (doc.errors.length) {
        const error = doc.errors[0];
        throw new InputError(`${file}:${lineAt(error.pos[0])}: not YAML: ${error.message.split("\n")[0]}`);
      }
      const body = doc.toJS() as Record<string, unknown> | null;
      if (!isObject(body)) continue;
      const line = lineAt(doc.contents?.range[0]);
      const add = (type: string, name: string, inputs: Record<string, unknown>, rules = new Map()) => {
        const urn = `urn:pulumi:check::check::${type}::${file}:${line}:${name}`;
        loaded.resources.push({ urn, type, name, dependsOn: [], inputs, protect: false });
        loaded.origin.set(urn, { file, line, rules });
      };
      const kind = body.kind as string | undefined;
      const ruleFile = Array.isArray(body.groups) && !kind;
      if (ruleFile || kind === "PrometheusRule") {
        const base = ruleFile ? ["groups"] : ["spec", "groups"];
        const groups = ruleFile ? body.groups : (body.spec as { groups?: unknown } | undefined)?.groups;
        const problem = shapeProblem(groups);
        if (problem) {
          const [at, expected] = problem;
          const node = doc.getIn([...base, ...at], true) as { range?: number[] } | undefined;
          throw new InputError(
            `${file}:${lineAt(node?.range?.[0] ?? doc.contents?.range[0])}: ${showPath(base.join("."), at)}: expected ${expected}`,
          );
        }
        const name = ruleFile
          ? path.basename(file)
          : String((body.metadata as { name?: string } | undefined)?.name ?? kind);
        const ruleLines = ruleLinesOf(doc, base, groups as unknown[], lineAt);
        const where = new Map<string, number>();
        (groups as { rules: unknown[] }[]).forEach((group, g) =>
          group.rules.forEach((_, r) => where.set(ruleWhere(name, group, r), ruleLines[g][r])),
        );
        const inputs = ruleFile
          ? { kind: "PrometheusRule", metadata: { name }, spec: { groups } }
          : (body as Record<string, unknown>);
        add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", name, inputs, where);
        loaded.ruleFiles.push({ file, line, groups: groups as unknown[], lines: ruleLines });
        continue;
      }
      const apiVersion = String(body.apiVersion ?? "");
      if (!kind || !apiVersion) continue;
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
      const name = String((body.metadata as { name?: string } | undefined)?.name ?? kind);
      add(`kubernetes:${group}/${version}:${kind}`, name, body);
    }
  }
  return loaded;
}

/** The line of each rule's `alert:` or `record:` key (of the rule itself when it has neither). */
function ruleLinesOf(
  doc: Document.Parsed,
  base: string[],
  groups: unknown[],
  lineAt: (offset: number | undefined) => number,
): number[][] {
  return groups.map((_, g) => {
    const rules = doc.getIn([...base, g, "rules"], true);
    if (!isSeq(rules)) return [];
    return rules.items.map((rule) => {
      const key = isMap(rule)
        ? rule.items.find((p) => isScalar(p.key) && ["alert", "record"].includes(String(p.key.value)))?.key
        : undefined;
      const node = (key ?? rule) as { range?: number[] } | null;
      return lineAt(node?.range?.[0]);
    });
  });
}

/** The file and line a policy's message is about: its rule's when it names one. */
export function lineOf(origin: Origin, message: string): number {
  let best: [string, number] | undefined;
  for (const [where, line] of origin.rules) {
    if (message.startsWith(`${where}:`) && (!best || where.length > best[0].length)) best = [where, line];
  }
  return best?.[1] ?? origin.line;
}

export type Level = "mandatory" | "advisory";

/** One finding of `npm run check`, at the line of the rule or object it is about. */
export interface Finding {
  file: string;
  line: number;
  level: Level;
  policy: string;
  message: string;
}
