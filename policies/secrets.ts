/**
 * Credentials are never plain strings in custom resources, release values or ConfigMaps: they are
 * references to Secrets (`{ name, key }`), or `*_file` paths to mounted ones.
 */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { HELM_RELEASE, Json, KPS_CHART, Policy, get } from "./util";

/** Credential fields of AlertmanagerConfig receivers (camelCase, SecretKeySelectors in the CRD). */
const CR_CREDENTIAL_FIELDS = new Set([
  "routingKey",
  "serviceKey",
  "apiURL",
  "apiKey",
  "apiSecret",
  "authPassword",
  "authSecret",
  "urlSecret",
  "userKey",
  "token",
  "botToken",
  "webhookUrl",
  "password",
  "credentials",
  "clientSecret",
]);

/** Credential fields of raw alertmanager.yaml (snake_case), where only the `*_file` forms are safe. */
const RAW_CREDENTIAL_FIELDS = new Set([
  "routing_key",
  "service_key",
  "api_url",
  "api_key",
  "auth_password",
  "auth_secret",
  "bot_token",
  "token",
  "password",
  "credentials",
  "client_secret",
  "webhook_url",
  "slack_api_url",
  "pagerduty_url",
  "smtp_auth_password",
]);

/** Paths of string values under keys in `fields`, anywhere below `value`. */
export function plainCredentials(value: unknown, fields: Set<string>, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => plainCredentials(v, fields, `${path}[${i}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Json).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (fields.has(k) && typeof v === "string") return [here];
    return plainCredentials(v, fields, here);
  });
}

const CONFIGMAP_PATTERNS: [RegExp, string][] = [
  [
    /\b(password|passwd|secret_key|access_key|routing_key|service_key|api_key|bearer_token|client_secret|auth_token)\b["']?\s*[:=]\s*["']?[^\s"'{$]/i,
    "a credential assignment",
  ],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/hooks\.slack\.com\/services\/[A-Za-z0-9]+/, "a Slack webhook URL"],
];

function releaseViolations(values: Json): string[] {
  const found: string[] = [];
  if (get(values, "grafana.adminPassword") !== undefined)
    found.push("grafana.adminPassword (use grafana.admin.existingSecret)");
  const remoteWrite = (get(values, "prometheus.prometheusSpec.remoteWrite") ?? []) as Json[];
  remoteWrite.forEach((rw, i) => {
    const base = `prometheus.prometheusSpec.remoteWrite[${i}]`;
    for (const p of plainCredentials(rw, new Set(["username", "password", "credentials", "bearerToken"])))
      found.push(`${base}.${p}`);
  });
  if (get(values, "prometheus.prometheusSpec.thanos.objectStorageConfig.secret") !== undefined) {
    found.push("prometheus.prometheusSpec.thanos.objectStorageConfig.secret (use existingSecret)");
  }
  for (const p of plainCredentials(get(values, "alertmanager.config"), RAW_CREDENTIAL_FIELDS))
    found.push(`alertmanager.config.${p}`);
  return found;
}

export const noPlaintextSecrets: Policy = {
  name: "no-plaintext-secrets",
  description:
    "Receiver, remote-write and object-store credentials are Secret references, never plain strings in custom resources, release values or ConfigMaps.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const fix = "keep it in a Kubernetes Secret and reference it by name and key";
    if (args.props.kind === "AlertmanagerConfig") {
      for (const p of plainCredentials(args.props.spec?.receivers, CR_CREDENTIAL_FIELDS)) {
        report(
          `AlertmanagerConfig ${args.name}: receivers${p.startsWith("[") ? "" : "."}${p} is a plain string; ${fix}.`,
        );
      }
    } else if (args.type === HELM_RELEASE) {
      const values = (args.props.values ?? {}) as Json;
      const found =
        args.props.chart === KPS_CHART
          ? releaseViolations(values)
          : plainCredentials(values, RAW_CREDENTIAL_FIELDS);
      for (const p of found)
        report(`Helm release ${args.name}: ${p} holds a credential in the values; ${fix}.`);
    } else if (args.type === "kubernetes:core/v1:ConfigMap") {
      for (const [key, text] of Object.entries((args.props.data ?? {}) as Record<string, unknown>)) {
        for (const [pattern, what] of CONFIGMAP_PATTERNS) {
          if (typeof text === "string" && pattern.test(text)) {
            report(`ConfigMap ${args.name}: data.${key} contains ${what}; ${fix}.`);
          }
        }
      }
    }
  },
};
