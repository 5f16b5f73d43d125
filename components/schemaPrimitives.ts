/**
 * Building blocks of the stack config schema: durations, quantities, names, credentials.
 * Messages may name the offending value as {input}; the formatter fills it in, or writes [secret].
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { KUBERNETES_BYTE_QUANTITY, PROMETHEUS_DURATION, durationSeconds, quantityBytes } from "./capacity";

export const duration = (example = "like 15d or 12h") =>
  z
    .string()
    .regex(PROMETHEUS_DURATION, { error: `{input} is not a Prometheus duration (${example})`, abort: true })
    .refine((d) => (durationSeconds(d) ?? 0) > 0, {
      error: `{input} must be a positive duration (${example})`,
    });

export const byteQuantity = z.string().regex(KUBERNETES_BYTE_QUANTITY, {
  error: "{input} is not a Kubernetes byte quantity (like 50Gi or 512Mi)",
});

/** Bounds of a volume: at least 1Gi (below it no engine keeps its blocks or WAL), at most 64Ti (EBS' largest io2). */
export const MIN_VOLUME = "1Gi";
export const MAX_VOLUME = "64Ti";

/** A volume size: a byte quantity within MIN_VOLUME and MAX_VOLUME. */
export const storageQuantity = byteQuantity.refine(
  (q) => {
    const bytes = quantityBytes(q);
    return (
      bytes === undefined || (bytes >= quantityBytes(MIN_VOLUME)! && bytes <= quantityBytes(MAX_VOLUME)!)
    );
  },
  { error: `{input} is not a volume size between ${MIN_VOLUME} and ${MAX_VOLUME}` },
);

export const cpuQuantity = z
  .string()
  .regex(/^(\d+(\.\d+)?|\d+m)$/, { error: "{input} is not a Kubernetes CPU quantity (like 500m or 2)" });

const cpuCores = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));

/** Sanity ceilings for one container: above these a value is a typo, not a plan (the largest nodes). */
export const MAX_CONTAINER_CPU = 256;
export const MAX_CONTAINER_MEMORY = "2Ti";
/** Floors for one container: below these no process starts (Kubernetes' CPU precision is 1m). */
export const MIN_CONTAINER_CPU = 0.001;
export const MIN_CONTAINER_MEMORY = "4Mi";

export const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error: "{input} is not a DNS label (lower-case letters, digits and '-', at most 63 characters)",
});

export const replicas = z.int({ error: "{input} is not a whole number of replicas" }).min(1, {
  error: "{input} is too few; at least 1 replica is required",
});

/** Requests and limits of one container. CPU limits are optional; requests must not exceed limits. */
export const resourcesSchema = z
  .strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: byteQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: byteQuantity }),
  })
  .superRefine((r, ctx) => {
    const quantities: [string[], string, number | undefined, number][] = [
      [["requests", "cpu"], r.requests.cpu, cpuCores(r.requests.cpu), MAX_CONTAINER_CPU],
      [
        ["requests", "memory"],
        r.requests.memory,
        quantityBytes(r.requests.memory),
        quantityBytes(MAX_CONTAINER_MEMORY)!,
      ],
      [
        ["limits", "memory"],
        r.limits.memory,
        quantityBytes(r.limits.memory),
        quantityBytes(MAX_CONTAINER_MEMORY)!,
      ],
      ...(r.limits.cpu !== undefined
        ? [
            [["limits", "cpu"], r.limits.cpu, cpuCores(r.limits.cpu), MAX_CONTAINER_CPU] as [
              string[],
              string,
              number,
              number,
            ],
          ]
        : []),
    ];
    for (const [path, text, value, max] of quantities) {
      if (value === undefined) continue;
      const min = path[1] === "cpu" ? MIN_CONTAINER_CPU : quantityBytes(MIN_CONTAINER_MEMORY)!;
      if (value <= 0) ctx.addIssue({ code: "custom", path, message: `${text} must be more than 0` });
      else if (value < min) {
        const floor = path[1] === "cpu" ? "1m" : MIN_CONTAINER_MEMORY;
        ctx.addIssue({ code: "custom", path, message: `${text} is below the floor of ${floor}` });
      } else if (value > max) {
        const ceiling = path[1] === "cpu" ? `${MAX_CONTAINER_CPU} cores` : MAX_CONTAINER_MEMORY;
        ctx.addIssue({
          code: "custom",
          path,
          message: `${text} is more than any node has (at most ${ceiling})`,
        });
      }
    }
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

export const resources = (requests: Resources["requests"], limits: Resources["limits"]) =>
  resourcesSchema.prefault({ requests, limits });

/**
 * A credential. Only accepted from a Pulumi secret (`pulumi config set --secret --path …`); parsed
 * into a secret Output so that it can only ever reach a Kubernetes Secret.
 */
export const credential = z
  .string({ error: "is required (a Pulumi secret)" })
  .min(1, { error: "must not be empty" })
  .transform((value) => pulumi.secret(value));

/**
 * Query parameter names that carry credentials in the URLs of common receivers, APIs and write endpoints:
 * `token`, `private_token`, `access_token`, `api_key`, `apiKey`, `X-Amz-Signature`, `client_secret`,
 * `password`, `sig`, `session` and the like, whatever the case or separator.
 */
export const CREDENTIAL_QUERY_PARAM =
  /token|secret|passw|pwd|api[-_]?key|^key$|^sig$|signature|credential|^auth$|authorization|session|jwt/i;

/**
 * Whether a text holds credentials the way a URL carries them: userinfo (`scheme://user:pass@`,
 * `//user@host`), or a credential query parameter (`?private_token=…`), in an absolute URL, a relative
 * path such as `/health?token=…`, or a URL inside longer text.
 */
export function urlCarriesCredentials(text: string): boolean {
  if (/(^|[a-z0-9+.-]:)\/\/[^/?#\s]*@/i.test(text)) return true;
  for (const match of text.matchAll(/[?&;]([^=&#\s]+)=/g)) {
    let name = match[1];
    try {
      name = decodeURIComponent(name);
    } catch {
      // an undecodable name is judged as written
    }
    if (CREDENTIAL_QUERY_PARAM.test(name)) return true;
  }
  return false;
}

/**
 * An http(s) URL that carries no credentials: they would sit in Git and land in plain Helm values and
 * manifests. Credentials go in the field's auth block, or the whole URL in a secret field.
 */
export const URL_CREDENTIALS_MESSAGE =
  "must not carry credentials (user:password@ or a token in the query); give them in the auth " +
  "block where the field has one, or the whole URL as a secret where it allows (webhook.urlSecret)";

export const httpUrl = z
  .url({ protocol: /^https?$/, error: "{input} is not an http(s) URL" })
  .refine((u) => !urlCarriesCredentials(u), { error: URL_CREDENTIALS_MESSAGE });

/** An https URL without credentials: OAuth endpoints, runbooks, anything a browser or token fetch follows. */
export const httpsUrl = z
  .url({ protocol: /^https$/, error: "{input} is not an https URL" })
  .refine((u) => !urlCarriesCredentials(u), { error: URL_CREDENTIALS_MESSAGE });

/** A DNS host name with at least two labels, lower case (like grafana.example.com). */
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
    error: "{input} is not a host name (like grafana.example.com)",
  });

/**
 * The URL people open a web UI at, as links in notifications carry it: http(s), no credentials, no
 * query or fragment (Prometheus and Alertmanager append their own paths to it). https only in prod
 * (schema.ts), where the links travel through Slack and PagerDuty.
 */
export const externalUrl = httpUrl.refine(
  (u) => {
    const url = URL.parse(u);
    return url === null || (url.search === "" && url.hash === "");
  },
  { error: "{input} must not have a query or fragment: the UI appends its own paths to it" },
);

/**
 * A value for grafana.ini: one line (checked for every string in inputText.ts) and none of Grafana's
 * variable expansions (`$__env{…}`, `$__file{…}`, `$__vault{…}`), which would read the pod's environment
 * or files into the setting.
 */
export const iniValue = z.string().refine((v) => !v.includes("$__"), {
  error: "must not hold $__ (Grafana expands $__env{…} and $__file{…} in grafana.ini)",
});

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "{input} is not an AWS region (like eu-west-1)" });

export const arn = (service: string, example: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), {
    error: `{input} is not an ${service} ARN (like ${example})`,
  });

export const relabelAction = z.enum([
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
]);

/** A Prometheus relabel config, in the operator's camelCase. */
export const relabelConfigSchema = z.strictObject({
  sourceLabels: z.array(z.string()).optional(),
  separator: z.string().optional(),
  regex: z.string().optional(),
  modulus: z.int().optional(),
  targetLabel: z.string().optional(),
  replacement: z.string().optional(),
  action: relabelAction.default("replace"),
});

/** Refuses a repeated `name` among `items`, reporting it at `[...at, i, "name"]`. */
export const uniqueNames =
  (what: string, at: PropertyKey[] = []) =>
  (items: { name: string }[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.name)) {
        ctx.addIssue({
          code: "custom",
          path: [...at, i, "name"],
          message: `${JSON.stringify(item.name)} is not a unique ${what} name`,
        });
      }
      seen.add(item.name);
    });
  };
