/**
 * Existing rules brought as they are: Prometheus rule files (`groups:`) or PrometheusRule manifests, read
 * from paths inside the project and validated like Prometheus validates them.
 */
import * as path from "node:path";
import { z } from "zod";
import type { IRuleGroup } from "./crdTypes";
import { isRuleDuration } from "./capacity";
import { InputFileError, SIZE_CAPS, parseYamlInput, readInputFile } from "./inputFile";

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
 * may not leave it.
 */
export function readRuleFile(file: string, read: ReadFile): { groups?: IRuleGroup[]; problem?: string } {
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
  for (const doc of parsed.docs) {
    const body = doc as { kind?: string; groups?: unknown[]; spec?: { groups?: unknown[] } } | null;
    if (!body) continue;
    if (body.kind === "PrometheusRule") groups.push(...(body.spec?.groups ?? []));
    else if (Array.isArray(body.groups)) groups.push(...body.groups);
    else return { problem: `${JSON.stringify(file)} is neither a rule file (groups:) nor a PrometheusRule` };
  }
  const checked = fileSchema.safeParse(groups, { reportInput: true });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return {
      problem: `${JSON.stringify(file)}: groups${where}: ${issue.message.replace("{input}", JSON.stringify((issue as { input?: unknown }).input))}`,
    };
  }
  return { groups: checked.data as IRuleGroup[] };
}
