/**
 * Existing rules brought as they are: Prometheus rule files (`groups:`) or PrometheusRule manifests, read
 * from paths inside the project and validated like Prometheus validates them.
 */
import * as path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { z } from "zod";
import type { IRuleGroup } from "./crdTypes";
import { isRuleDuration } from "./capacity";
import { InputFileError, SIZE_CAPS, parseYamlInput, readInputFile } from "./inputFile";
import { promqlProblem } from "./promqlExcerpt";

const ruleDuration = z.string().refine(isRuleDuration, { error: "{input} is not a Prometheus duration" });

const ruleSchema = z
  .strictObject({
    alert: z.string().min(1).optional(),
    // Prometheus 3 takes any UTF-8 record name; control characters only break YAML and queries.
    record: z
      .string()
      .regex(/^[^\p{Cc}]+$/u, { error: "{input} is not a metric name" })
      .optional(),
    expr: z.union([z.string().min(1), z.number()]),
    for: ruleDuration.optional(),
    keep_firing_for: ruleDuration.optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .refine((r) => (r.alert === undefined) !== (r.record === undefined), {
    error: "needs exactly one of alert or record",
  });

const groupSchema = z.strictObject({
  name: z.string().min(1),
  interval: ruleDuration.optional(),
  limit: z.int().min(0).optional(),
  query_offset: ruleDuration.optional(),
  rules: z.array(ruleSchema).min(1),
});

const fileSchema = z.array(groupSchema).min(1, { error: "holds no rule groups" });

/** Reads a file's text; injected so parsing stays pure in tests. */
export type ReadFile = (relativePath: string) => string;

/**
 * Reads rule files under `root` (the project): symlinks followed must stay inside it, only regular
 * files, at most SIZE_CAPS.ruleFile. Throws InputFileError.
 */
export const projectFileReader =
  (root: string): ReadFile =>
  (file) =>
    readInputFile(path.join(root, file), { maxBytes: SIZE_CAPS.ruleFile, within: root, shown: file });

/**
 * The rule groups in one file, or a problem naming what is wrong. `file` is relative to the project and
 * may not leave it. A `located` problem starts with `file:line` (an expression that is not PromQL).
 */
export function readRuleFile(
  file: string,
  read: ReadFile,
): { groups?: IRuleGroup[]; problem?: string; located?: boolean } {
  const normalized = path.posix.normalize(file.replaceAll("\\", "/"));
  if (path.posix.isAbsolute(normalized) || normalized.startsWith("../") || normalized === "..") {
    return { problem: `${JSON.stringify(file)} is outside the project; give a path inside it` };
  }
  let text: string;
  try {
    text = read(normalized);
  } catch (err) {
    return {
      problem: `${JSON.stringify(file)} ${err instanceof InputFileError ? err.reason : "cannot be read"}`,
    };
  }
  const parsed = parseYamlInput(text);
  if ("problem" in parsed) return { problem: `${JSON.stringify(file)} ${parsed.problem}` };
  const groups: unknown[] = [];
  // Where each group is in the file (document and key path), for file:line in PromQL errors.
  const origins: { doc: number; path: (string | number)[] }[] = [];
  parsed.docs.forEach((doc, d) => {
    const body = doc as { kind?: string; groups?: unknown[]; spec?: { groups?: unknown[] } } | null;
    if (!body) return;
    const own = body.kind === "PrometheusRule" ? body.spec?.groups : body.groups;
    const at = body.kind === "PrometheusRule" ? ["spec", "groups"] : ["groups"];
    if (body.kind !== "PrometheusRule" && !Array.isArray(own)) {
      origins.push({ doc: -1, path: [] });
      return;
    }
    (own ?? []).forEach((g, k) => {
      groups.push(g);
      origins.push({ doc: d, path: [...at, k] });
    });
  });
  if (origins.some((o) => o.doc === -1)) {
    return { problem: `${JSON.stringify(file)} is neither a rule file (groups:) nor a PrometheusRule` };
  }
  const checked = fileSchema.safeParse(groups, { reportInput: true });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return {
      problem: `${JSON.stringify(file)}: groups${where}: ${issue.message.replace("{input}", JSON.stringify((issue as { input?: unknown }).input))}`,
    };
  }
  const promql = promqlProblems(text, checked.data, origins);
  // These start with the file's own line: the place to fix them.
  if (promql.length) return { problem: promql.map((p) => `${normalized}:${p}`).join("\n"), located: true };
  return { groups: checked.data as IRuleGroup[] };
}

/**
 * `line: groups[0].rules[1].expr (alert X): is not PromQL …` for each expression of the file that is
 * not PromQL; the line is the expression's own in the file.
 */
function promqlProblems(
  text: string,
  groups: z.infer<typeof fileSchema>,
  origins: { doc: number; path: (string | number)[] }[],
): string[] {
  const found: { g: number; r: number; problem: string }[] = [];
  groups.forEach((group, g) =>
    group.rules.forEach((rule, r) => {
      const problem = typeof rule.expr === "string" ? promqlProblem(rule.expr) : undefined;
      if (problem) found.push({ g, r, problem });
    }),
  );
  if (!found.length) return [];
  // Parsed again only now, with positions: the file is already known to be YAML within the caps.
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  return found.map(({ g, r, problem }) => {
    const origin = origins[g];
    const keyPath = [...origin.path, "rules", r, "expr"];
    const node = docs[origin.doc]?.getIn(keyPath, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : "?";
    const rule = groups[g].rules[r];
    const name = rule.alert !== undefined ? `alert ${rule.alert}` : `record ${rule.record}`;
    const shown = keyPath
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
      .join("")
      .slice(1);
    return `${line}: ${shown} (${name}): ${problem}`;
  });
}
