/**
 * Stack configuration: the schema, its defaults, and the one place that reads `pulumi.Config`.
 *
 * Every key lives under the `kube-monitoring:` namespace and is documented in Pulumi.yaml. Invalid
 * config fails before any resource is registered, with one line per problem naming the stack, the key
 * path and what was expected. Unknown keys are errors: a typo must never be a setting that silently
 * does nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  KUBERNETES_BYTE_QUANTITY,
  MAX_RETENTION_SIZE_SHARE,
  PROMETHEUS_BYTE_SIZE,
  PROMETHEUS_DURATION,
  durationSeconds,
  prometheusBytes,
  quantityBytes,
} from "./capacity";

export const CONFIG_NAMESPACE = "kube-monitoring";

// Messages may name the offending value as {input}; the formatter fills it in, or writes [secret].
const duration = (example = "like 15d or 12h") =>
  z
    .string()
    .regex(PROMETHEUS_DURATION, { error: `{input} is not a Prometheus duration (${example})`, abort: true })
    .refine((d) => (durationSeconds(d) ?? 0) > 0, {
      error: `{input} must be a positive duration (${example})`,
    });

const byteQuantity = z.string().regex(KUBERNETES_BYTE_QUANTITY, {
  error: "{input} is not a Kubernetes byte quantity (like 50Gi or 512Mi)",
});

const cpuQuantity = z
  .string()
  .regex(/^(\d+(\.\d+)?|\d+m)$/, { error: "{input} is not a Kubernetes CPU quantity (like 500m or 2)" });

const cpuCores = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error: "{input} is not a DNS label (lower-case letters, digits and '-', at most 63 characters)",
});

const replicas = z.int({ error: "{input} is not a whole number of replicas" }).min(1, {
  error: "{input} is too few; at least 1 replica is required",
});

/** Requests and limits of one container. CPU limits are optional; requests must not exceed limits. */
export const resourcesSchema = z
  .strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: byteQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: byteQuantity }),
  })
  .superRefine((r, ctx) => {
    const requested = quantityBytes(r.requests.memory);
    const limit = quantityBytes(r.limits.memory);
    if (requested !== undefined && limit !== undefined && requested > limit) {
      ctx.addIssue({
        code: "custom",
        path: ["requests", "memory"],
        message: `${r.requests.memory} is more than limits.memory ${r.limits.memory}`,
      });
    }
    if (r.limits.cpu !== undefined && cpuCores(r.requests.cpu) > cpuCores(r.limits.cpu)) {
      ctx.addIssue({
        code: "custom",
        path: ["requests", "cpu"],
        message: `${r.requests.cpu} is more than limits.cpu ${r.limits.cpu}`,
      });
    }
  });
export type Resources = z.infer<typeof resourcesSchema>;

const resources = (requests: Resources["requests"], limits: Resources["limits"]) =>
  resourcesSchema.prefault({ requests, limits });

const prometheusSchema = z
  .strictObject({
    replicas: replicas.default(2),
    retention: duration().default("15d"),
    retentionSize: z
      .string()
      .regex(PROMETHEUS_BYTE_SIZE, { error: "{input} is not a Prometheus byte size (like 45GiB or 500MiB)" })
      .optional(),
    storageSize: byteQuantity.optional(),
    storageClass: z.string().min(1).optional(),
    scrapeInterval: duration("like 30s or 1m").default("30s"),
    evaluationInterval: duration("like 30s or 1m").default("30s"),
    expectedActiveSeries: z
      .int({ error: "{input} is not a whole number of series" })
      .positive({ error: "{input} must be at least 1" })
      .default(100_000),
    walCompression: z.boolean().default(true),
    resources: resources({ cpu: "1", memory: "2Gi" }, { cpu: "2", memory: "4Gi" }),
  })
  .superRefine((p, ctx) => {
    if (p.retentionSize === undefined || p.storageSize === undefined) return;
    const retained = prometheusBytes(p.retentionSize);
    const volume = quantityBytes(p.storageSize);
    if (retained !== undefined && volume !== undefined && retained > volume * MAX_RETENTION_SIZE_SHARE) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionSize"],
        message:
          `${p.retentionSize} is more than ${MAX_RETENTION_SIZE_SHARE * 100}% of prometheus.storageSize ` +
          `${p.storageSize}; keep it below so Prometheus deletes old blocks before the disk fills`,
      });
    }
  });

const alertmanagerSchema = z.strictObject({
  replicas: replicas.default(2),
  retention: duration("like 120h").default("120h"),
  storageSize: byteQuantity.default("2Gi"),
  storageClass: z.string().min(1).optional(),
  resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "200m", memory: "256Mi" }),
});

const securitySchema = z.strictObject({
  runAsUser: z.int().min(1, { error: "{input} would run as root; use a non-zero UID" }).default(1000),
  runAsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  fsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  /**
   * A `kubernetes.io/tls` Secret in the monitoring namespace (tls.crt, tls.key, ca.crt, as cert-manager
   * writes them). When set, Prometheus and Alertmanager serve HTTPS with it.
   */
  webTlsSecretName: dnsLabel.optional(),
});

export const stackConfigSchema = z.strictObject({
  environment: z.enum(["dev", "prod"], { error: "{input} is not an environment; expected dev or prod" }),
  clusterName: dnsLabel,
  namespace: dnsLabel.default("monitoring"),
  prometheus: prometheusSchema.prefault({}),
  alertmanager: alertmanagerSchema.prefault({}),
  grafana: z
    .strictObject({
      enabled: z.boolean().default(true),
      resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
    })
    .prefault({}),
  operator: z
    .strictObject({
      resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
    })
    .prefault({}),
  kubeStateMetrics: z
    .strictObject({ resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "200m", memory: "512Mi" }) })
    .prefault({}),
  nodeExporter: z
    .strictObject({ resources: resources({ cpu: "50m", memory: "64Mi" }, { cpu: "250m", memory: "128Mi" }) })
    .prefault({}),
  security: securitySchema.prefault({}),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type PrometheusConfig = StackConfig["prometheus"];
export type AlertmanagerConfig = StackConfig["alertmanager"];
export type SecurityConfig = StackConfig["security"];

/** Invalid stack configuration: `problems` has one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface ParseOptions {
  /** Top-level keys whose values are Pulumi secrets: their values never appear in messages. */
  secretKeys?: Iterable<string>;
}

/**
 * Validates raw stack config (top-level key → value, without the namespace prefix) and applies the
 * defaults. Pure: tests call it directly. Throws ConfigError listing every problem.
 */
export function parseStackConfig(
  stack: string,
  raw: Record<string, unknown>,
  opts: ParseOptions = {},
): StackConfig {
  const result = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const secretKeys = new Set(opts.secretKeys ?? []);
  const problems = result.error.issues.flatMap((issue) => describeIssue(stack, issue, secretKeys));
  throw new ConfigError(problems);
}

function describeIssue(stack: string, issue: z.core.$ZodIssue, secretKeys: Set<string>): string[] {
  const path = formatPath(issue.path);
  const isSecret = typeof issue.path[0] === "string" && secretKeys.has(issue.path[0]);
  const input = (issue as { input?: unknown }).input;
  const shown = isSecret ? "[secret]" : JSON.stringify(input);
  if (input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const expected = issue.code === "invalid_type" ? issue.expected : issue.values.join(" or ");
    return [`${stack}: ${path}: is required (expected ${expected})`];
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(issue.path);
      return issue.keys.map(
        (key) =>
          `${stack}: ${formatPath([...issue.path, key])}: unknown key` +
          (known.length ? `; expected one of: ${known.join(", ")}` : ""),
      );
    }
    case "invalid_type":
      if (!issue.message.includes("{input}"))
        return [`${stack}: ${path}: ${shown} is not ${article(issue.expected)}`];
      return [`${stack}: ${path}: ${issue.message.replaceAll("{input}", shown)}`];
    default:
      return [`${stack}: ${path}: ${issue.message.replaceAll("{input}", shown)}`];
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
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
    raw[fullKey.slice(prefix.length)] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
  }
  return raw;
}

/** Reads and validates this stack's config. The only reader of `pulumi.Config` in the program. */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const raw = rawConfigFrom(pulumi.runtime.allConfig());
  const secretKeys = Object.keys(raw).filter((key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`));
  return parseStackConfig(stack, raw, { secretKeys });
}

// The SDK exports isConfigSecret from its runtime config module but leaves it out of the typings.
function isConfigSecret(key: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret?: (k: string) => boolean;
  };
  return runtimeConfig.isConfigSecret?.(key) ?? false;
}
