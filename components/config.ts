/**
 * Stack configuration: the schema, its defaults, and the one place that reads `pulumi.Config`.
 *
 * Every key lives under the `kube-monitoring:` namespace and is documented in Pulumi.yaml. Invalid
 * config fails before any resource is registered, with one line per problem naming the stack, the key
 * path and what was expected. Unknown keys are errors: a typo must never be a setting that silently
 * does nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  CONFIG_NAMESPACE,
  ImportedRules,
  StackConfig,
  credentialPaths,
  resolveDefaults,
  stackConfigSchema,
} from "./schema";
import { urlCarriesCredentials } from "./schemaPrimitives";
import { inputTextProblems } from "./inputText";
import { isConfigSecret } from "./sdkInternals";
import { readSecureLeafPaths } from "./stackSecrets";
import { ReadFile, projectFileReader, readRuleFile } from "./ruleFiles";
import { ownerLabelProblem } from "./appSchema";
import { appPromqlProblems } from "./promqlConfig";
import { appDashboardUid } from "./appResources";
import {
  Dashboard,
  DashboardFile,
  loadDashboards,
  provisionedDatasources,
  readDashboardFiles,
} from "./dashboards";
import { stackDashboards } from "./platformDashboards";
import { Locate, closest, displayPath, stackFileLocator } from "./configLocation";
import * as path from "node:path";

export * from "./schema";

export { ConfigError } from "./configError";
import { ConfigError } from "./configError";

export interface ParseOptions {
  /** Top-level keys whose values are Pulumi secrets: their values never appear in messages. */
  secretKeys?: Iterable<string>;
  /**
   * The `secure:` leaves (as `formatPath` writes them), when the stack file is known: every credential
   * must be one of them, and none may be anything but a credential.
   */
  secureLeaves?: ReadonlySet<string>;
  /** Reads a `ruleFiles` path (relative to the project root); without it, rule files cannot be read. */
  readFile?: ReadFile;
  /** The dashboards folder's files; without it, the stack provisions only its own dashboards. */
  dashboardFiles?: readonly DashboardFile[];
  /** Where a key is in the stack file (`Pulumi.dev.yaml:57`); messages start with it instead of the stack. */
  locate?: Locate;
}

/** Fields whose values are credentials or may hold them: their values never appear in messages. */
const CREDENTIAL_FIELD = /(password|token|secret|key|apiurl|urlsecret)$/i;

/**
 * Validates raw stack config (top-level key → value, without the namespace prefix) and applies the
 * defaults. Pure: tests call it directly. Throws ConfigError listing every problem.
 */
export function parseStackConfig(
  stack: string,
  raw: Record<string, unknown>,
  opts: ParseOptions = {},
): StackConfig {
  const secretKeys = new Set(opts.secretKeys ?? []);
  // `Pulumi.dev.yaml:57: apps[checkout].slo` where the file is known, else `dev: apps[checkout].slo`.
  const here = (p: readonly PropertyKey[]) => `${opts.locate?.(p) ?? stack}: ${displayPath(p, raw)}`;
  const leaves = opts.secureLeaves;
  const hidden = (p: readonly PropertyKey[]) =>
    (typeof p[0] === "string" && secretKeys.has(p[0])) ||
    CREDENTIAL_FIELD.test(String(p[p.length - 1] ?? "")) ||
    p.includes("database") ||
    [...(leaves ?? [])].some((leaf) => formatPath(p).startsWith(leaf));
  // Before the schema: every string, for where it lands (config files, manifests, terminals, comments).
  const isSecureLeaf = (p: readonly PropertyKey[]) =>
    leaves ? leaves.has(formatPath(p)) : typeof p[0] === "string" && secretKeys.has(p[0]);
  const textProblems = inputTextProblems(raw, isSecureLeaf);
  if (textProblems.length) throw new ConfigError(textProblems.map((p) => `${stack}: ${p}`));
  // jitless: zod would compile a parser per object schema for this one parse (≈25 ms of a dev plan).
  const result = stackConfigSchema.safeParse(raw, { reportInput: true, jitless: true });
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(here, issue, hidden)));
  }
  // A credential typed in plain text sits in Git next to the stack file: refuse it. Judged per leaf when
  // the stack file is known, else by the top-level keys the CLI marks secret.
  const credentialKeys = credentialPaths(result.data);
  const credentials = credentialKeys.map(formatPath);
  const keyOf = new Map(credentials.map((at, i) => [at, credentialKeys[i]]));
  const plaintext = credentials.filter((at) =>
    leaves ? !leaves.has(at) : !secretKeys.has(at.split(/[.[]/)[0]),
  );
  // A secret on a field that is not a credential would be written in plain text (values, manifests).
  const misplaced = [...(leaves ?? [])].filter((at) => !credentials.includes(at));
  if (plaintext.length || misplaced.length) {
    throw new ConfigError([
      ...plaintext.map(
        (at) =>
          `${here(keyOf.get(at) ?? [at])}: must not be plain text in the stack file; either make it a Pulumi secret: ` +
          `pulumi config set --secret --path '${at}' VALUE, or keep it in a Secret and reference it: ` +
          "{ secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
      ),
      ...misplaced.map(
        (at) =>
          `${here(parsePath(at))}: is secure: but is not a credential, so it would be written in plain text to the ` +
          "manifests and Helm values; keep it plain, or keep the secret in a Secret and reference it",
      ),
    ]);
  }
  // Existing rule files, read and validated now: a broken one is a config error, like any other key.
  const problems: string[] = [];
  const readAll = (files: string[], at: (string | number)[]): ImportedRules =>
    files.flatMap((file, j) => {
      const { groups, problem, located } = opts.readFile
        ? readRuleFile(file, opts.readFile)
        : { groups: undefined, problem: "cannot be read here", located: false };
      if (problem) problems.push(located ? problem : `${here([...at, j])}: ${problem}`);
      return groups ? [{ file, groups }] : [];
    });
  const imported = {
    stack: readAll(result.data.ruleFiles, ["ruleFiles"]),
    apps: result.data.apps.map((app, i) => readAll(app.ruleFiles, ["apps", i, "ruleFiles"])),
  };
  // An imported alert gets the app's owner labels; one that names another owner is refused.
  result.data.apps.forEach((app, i) =>
    imported.apps[i]?.forEach(({ file, groups }) =>
      groups.forEach((g) =>
        (g.rules ?? []).forEach((r) => {
          const problem = r.alert ? ownerLabelProblem(app, r.labels) : undefined;
          if (problem) {
            problems.push(
              `${here(["apps", i, "ruleFiles"])}: ${file}: group ${g.name}, alert ${r.alert}: ${problem}`,
            );
          }
        }),
      ),
    ),
  );
  // PromQL written in the config, judged at its key: a generated rule file's name would not say where.
  for (const { path: at, problem } of appPromqlProblems(result.data.apps))
    problems.push(`${here(at)}: ${problem}`);
  // One rule file imported by two apps is one problem.
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  const cfg = resolveDefaults(result.data, imported);
  return { ...cfg, dashboards: checkedDashboards(stack, cfg, opts.dashboardFiles ?? []) };
}

/**
 * The stack's own dashboards and the dashboards folder's, each file checked against the datasources
 * Grafana will have and every uid the stack uses (apps' dashboards included).
 */
function checkedDashboards(stack: string, cfg: StackConfig, files: readonly DashboardFile[]): Dashboard[] {
  const own = stackDashboards(cfg);
  const appUids = cfg.apps.map((app) => ({
    uid: appDashboardUid(app),
    source: `the dashboard of app ${app.name}`,
  }));
  const datasources = provisionedDatasources(cfg.thanos.enabled && cfg.thanos.grafanaDatasource);
  const { dashboards, problems } = loadDashboards(files, datasources, [...own, ...appUids]);
  if (problems.length) throw new ConfigError(problems.map((p) => `${stack}: ${p}`));
  return [...own, ...dashboards];
}

function describeIssue(
  here: (path: readonly PropertyKey[]) => string,
  issue: z.core.$ZodIssue,
  hidden: (path: readonly PropertyKey[]) => boolean,
): string[] {
  const at = here(issue.path);
  const isSecret = hidden(issue.path);
  const input = (issue as { input?: unknown }).input;
  const shown =
    isSecret || (typeof input === "string" && urlCarriesCredentials(input))
      ? "[secret]"
      : JSON.stringify(input);
  if (input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const expected = issue.code === "invalid_type" ? issue.expected : issue.values.join(" or ");
    return [`${at}: is required (expected ${expected})`];
  }
  switch (issue.code) {
    case "invalid_key": {
      // A record key (labels, selectors): say what the key should have been, from the key's own schema.
      const key = JSON.stringify(String(issue.path[issue.path.length - 1]));
      const inner = issue.issues.map((i) => i.message.replaceAll("{input}", key));
      return [`${here(issue.path.slice(0, -1))}: ${inner.join("; ") || `${key} is not a valid key`}`];
    }
    case "unrecognized_keys": {
      const known = knownKeysAt(issue.path);
      return issue.keys.map((key) => {
        const near = closest(key, known);
        return (
          `${here([...issue.path, key])}: unknown key` +
          (near ? `; did you mean ${near}?` : "") +
          (known.length ? `${near ? " Expected" : "; expected"} one of: ${known.join(", ")}` : "")
        );
      });
    }
    case "invalid_type":
      if (!issue.message.includes("{input}")) return [`${at}: ${shown} is not ${article(issue.expected)}`];
      return [`${at}: ${issue.message.replaceAll("{input}", shown)}`];
    default:
      return [`${at}: ${issue.message.replaceAll("{input}", shown)}`];
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** `["apps", 0, "slo"]` for `apps[0].slo`. */
function parsePath(text: string): (string | number)[] {
  return text
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== "")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** The keys an object in the schema accepts, for "expected one of" hints. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = stackConfigSchema;
  for (const part of path) {
    schema = schema && unwrap(schema);
    const def = schema?._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
    };
    schema = typeof part === "number" ? def?.element : def?.shape?.[String(part)];
  }
  const def = schema && (unwrap(schema)._zod.def as { shape?: Record<string, unknown> });
  return def?.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === "pipe" && def.in) return unwrap(def.in);
  return schema;
}

/**
 * Turns Pulumi's flat config map into raw values: objects and lists arrive as JSON text, scalars as
 * plain strings.
 */
export function rawConfigFrom(
  all: Record<string, string>,
  namespace = CONFIG_NAMESPACE,
): Record<string, unknown> {
  const prefix = `${namespace}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    // Text that only looks like JSON stays text: the schema then names the key and what it expected.
    let value: unknown = text;
    if (/^\s*[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    raw[key] = value;
  }
  return raw;
}

/** The project's root (where Pulumi.yaml and index.ts are): this module lives in its components/. */
const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Where the program looks for `Pulumi.<stack>.yaml`: the offline plan names its config directory here;
 * under the Pulumi CLI it is the project's root.
 */
export const CONFIG_DIR_ENV = "KUBE_MONITORING_CONFIG_DIR";

/** Reads and validates this stack's config. The only reader of `pulumi.Config` in the program. */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const raw = rawConfigFrom(pulumi.runtime.allConfig());
  const secretKeys = Object.keys(raw).filter((key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`));
  const dir = process.env[CONFIG_DIR_ENV] || PROJECT_ROOT;
  const secureLeaves = readSecureLeafPaths(dir, stack, CONFIG_NAMESPACE);
  if (!secureLeaves && secretKeys.length) {
    void pulumi.log.warn(
      `no Pulumi.${stack}.yaml in ${dir}: credentials are checked per top-level key (${secretKeys.join(", ")}), not per value`,
    );
  }
  const readFile = projectFileReader(PROJECT_ROOT);
  const dashboardFiles = readDashboardFiles(path.join(PROJECT_ROOT, "dashboards"), PROJECT_ROOT);
  const locate = stackFileLocator(dir, stack);
  return parseStackConfig(stack, raw, { secretKeys, secureLeaves, readFile, dashboardFiles, locate });
}
