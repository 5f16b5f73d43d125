/**
 * The configuration reference (docs/configuration.md), generated so it cannot drift: a contents list,
 * where credentials' Secrets live and which integration versions receivers speak, then per top-level
 * key its description (Pulumi.yaml), a worked example (plan/configExamples.ts, validated by
 * tests/docs.spec.ts) and every key path with its type and default from the zod schema. A default the
 * program derives from other keys is named from DERIVED (also checked by the spec). `npm run docs`
 * writes it; a spec fails when the checked-in file is not current.
 */
import * as fs from "node:fs";
import { parseCommandLine, usageError } from "./cliHelp";
import { logSafe } from "./escape";
import { DOCS_HELP } from "./helpTexts";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { CONFIG_NAMESPACE, stackConfigSchema } from "../components/schema";
import { credential } from "../components/schemaPrimitives";
import { secretSourceSchema } from "../components/labelSchemas";
import { CREDENTIALS, DERIVED, EXAMPLES, INTEGRATIONS, REMOVED } from "./configExamples";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  required?: string[];
};

/** One row of a section's table. */
export interface Row {
  path: string;
  type: string;
  default: string;
}

/** What the zod schema knows that its JSON Schema loses: defaults behind refinements, credentials. */
interface ZodFacts {
  defaults: Map<string, unknown>;
  /** `secret`: a Pulumi secret only; `secretOrRef`: a Pulumi secret or `{ secretName, key }`. */
  credentials: Map<string, "secret" | "secretOrRef">;
}

type Def = {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  options?: z.core.$ZodType[];
  defaultValue?: unknown;
};

function zodFacts(schema: z.core.$ZodType, at: string, facts: ZodFacts): void {
  let node = schema;
  for (;;) {
    if (node === secretSourceSchema) facts.credentials.set(at, "secretOrRef");
    if (node === credential && !facts.credentials.has(at)) facts.credentials.set(at, "secret");
    const def = node._zod.def as Def;
    if ((def.type === "default" || def.type === "prefault") && !facts.defaults.has(at)) {
      facts.defaults.set(at, def.defaultValue);
    }
    const next = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!next) break;
    node = next;
  }
  const def = node._zod.def as Def;
  if (def.type === "object" && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) zodFacts(child, at ? `${at}.${key}` : key, facts);
  } else if (def.type === "array" && def.element) zodFacts(def.element, `${at}[]`, facts);
  else if (def.type === "union") for (const option of def.options ?? []) zodFacts(option, at, facts);
}

function typeOf(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(" or ");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (s.type === "object" && !s.properties) return "map";
  return Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
}

/** `{type: basic, username, password}`: one alternative of an object union, as people write it. */
function form(s: JsonSchema): string {
  const keys = Object.entries(s.properties ?? {}).map(([k, v]) =>
    v.const !== undefined ? `${k}: ${String(v.const)}` : k,
  );
  return `\`{ ${keys.join(", ")} }\``;
}

const CREDENTIAL_TYPE = {
  secret: "Pulumi secret",
  secretOrRef: "Pulumi secret, or `{ secretName, key }` of an existing Secret",
};

function rows(s: JsonSchema, at: string, required: boolean, facts: ZodFacts, out: Row[]): void {
  const fromZod = facts.defaults.get(at);
  const given = s.default ?? fromZod;
  const derived = DERIVED[at]?.text;
  const shown =
    given !== undefined
      ? `\`${JSON.stringify(given)}\``
      : derived
        ? `derived: ${derived}`
        : required
          ? "required"
          : "";
  if (REMOVED[at]) {
    out.push({ path: at, type: REMOVED[at], default: "" });
    return;
  }
  const credentialKind = facts.credentials.get(at);
  if (credentialKind) {
    out.push({ path: at, type: CREDENTIAL_TYPE[credentialKind], default: shown });
    return;
  }
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.some((a) => a.properties)) {
    // One row for the choice, then each field once (a field several forms share, with their types).
    out.push({ path: at, type: `one of ${alts.map(form).join(", ")}`, default: shown });
    const merged: Row[] = [];
    for (const alt of alts) {
      const inner: Row[] = [];
      for (const [key, child] of Object.entries(alt.properties ?? {})) {
        rows(child, `${at}.${key}`, (alt.required ?? []).includes(key), facts, inner);
      }
      for (const row of inner) {
        const same = merged.find((m) => m.path === row.path);
        if (!same) merged.push({ ...row });
        else if (!same.type.split(" | ").includes(row.type)) same.type = `${same.type} | ${row.type}`;
      }
    }
    out.push(...merged);
    return;
  }
  if (s.type === "object" && s.properties) {
    if (at) out.push({ path: at, type: "object", default: shown });
    for (const [key, child] of Object.entries(s.properties)) {
      rows(child, at ? `${at}.${key}` : key, (s.required ?? []).includes(key), facts, out);
    }
    return;
  }
  if (s.type === "array" && s.items?.properties) {
    out.push({ path: at, type: "list of objects (below)", default: shown });
    rows(s.items, `${at}[]`, false, facts, out);
    return;
  }
  out.push({ path: at, type: typeOf(s), default: shown });
}

/** Every section's rows, from the schema. */
export function configRows(): Map<string, Row[]> {
  const schema = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const facts: ZodFacts = { defaults: new Map(), credentials: new Map() };
  zodFacts(stackConfigSchema, "", facts);
  const sections = new Map<string, Row[]>();
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const out: Row[] = [];
    rows(child, key, (schema.required ?? []).includes(key), facts, out);
    // A list item's own row says nothing its list's row does not.
    sections.set(
      key,
      out.filter((r) => !(r.path.endsWith("[]") && r.type === "object")),
    );
  }
  return sections;
}

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** A description's first sentence, when it is short enough for the contents list. */
const summary = (text: string) => {
  const first = /^.*?\.(?=\s|$)/s.exec(text)?.[0] ?? text;
  return first.length <= 90 ? `: ${first}` : "";
};
const cell = (text: string) => text.replaceAll("|", "\\|");

export function configReference(projectDir: string): string {
  const declared = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")).config ??
    {}) as Record<string, { description?: string }>;
  const sections = configRows();
  const describe = (key: string) => (declared[key]?.description ?? "").trim().replace(/\s+/g, " ");
  const lines = [
    "# Configuration reference",
    "",
    "<!-- Generated by `npm run docs` from the config schema (components/schema.ts), Pulumi.yaml's",
    "descriptions and plan/configExamples.ts; do not edit. -->",
    "",
    `Every key lives under \`${CONFIG_NAMESPACE}:\` in \`Pulumi.<stack>.yaml\`; unknown keys are errors. The`,
    "default column is the schema's: empty means unset (the feature is off, or the key is optional);",
    '"derived" names what the program computes instead. Each example below is a valid stack config',
    "together with `environment` and `clusterName` (a spec checks every one against the schema).",
    "",
    "## Contents",
    "",
    "- [Credentials and integrations](#credentials-and-integrations)",
    ...[...sections.keys()].map((key) => `- [\`${key}\`](#${anchorOf(key)})${summary(describe(key))}`),
    "",
    "## Credentials and integrations",
    "",
    ...CREDENTIALS,
    "",
    "| receiver | integration |",
    "| --- | --- |",
    ...INTEGRATIONS.map(([name, text]) => `| \`${name}\` | ${cell(text)} |`),
    "",
  ];
  for (const [key, out] of sections) {
    lines.push(`## \`${key}\``, "");
    if (describe(key)) lines.push(describe(key), "");
    const example = EXAMPLES[key];
    if (example) lines.push("```yaml", example.trimEnd(), "```", "");
    lines.push("| key | type | default |", "| --- | --- | --- |");
    for (const r of out) lines.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(r.default)} |`);
    lines.push("");
  }
  return lines.join("\n");
}

if (require.main === module) {
  const line = parseCommandLine(process.argv.slice(2), {}, DOCS_HELP);
  if (line.kind !== "run" || line.positionals.length) {
    const text =
      line.kind === "run" ? usageError(`${line.positionals[0]}: unexpected argument`, DOCS_HELP) : line.text;
    (line.kind === "help" ? console.log : console.error)(logSafe(text));
    process.exit(line.kind === "help" ? 0 : 1);
  }
  const root = path.resolve(__dirname, "..");
  fs.writeFileSync(path.join(root, "docs", "configuration.md"), configReference(root));
  console.log("wrote docs/configuration.md");
}
