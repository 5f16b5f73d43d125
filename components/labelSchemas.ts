/** Label, metric and credential primitives the app, routing and alerting schemas share. */
import { z } from "zod";
import { credential, dnsLabel } from "./schemaPrimitives";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export const severity = z.enum(SEVERITIES, {
  error: "{input} is not a severity; expected critical, warning or info",
});

export const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "{input} is not a Prometheus label name" });
export const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "{input} is not a Prometheus metric name" });
/** A Kubernetes label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
export const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    {
      error: "{input} is not a Kubernetes label key (like app or app.kubernetes.io/name)",
    },
  )
  .max(317);
/** PromQL label matchers, comma-separated, each value one double-quoted string: nothing else fits. */
export const LABEL_MATCHERS =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*")*\s*$/;

/** RE2's complaint about a Prometheus regex (as Prometheus would word it), or undefined when it parses. */
export { regexError } from "../policies/regex";

export const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, {
    error: "{input} is not a Kubernetes label value",
  });
/** A Service or container port *name* (an IANA service name): monitors name ports, never number them. */
export const portName = z
  .string({ error: "{input} is not a port name; monitors refer to ports by name (like metrics), not number" })
  .regex(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/, {
    error: "{input} is not a port name; monitors refer to ports by name (like metrics), not number",
  });
export const ratio = z
  .number()
  .gt(0, { error: "{input} must be above 0" })
  .lt(1, { error: "{input} must be below 1" });

/** A credential given as a Pulumi secret, or a reference to a Secret that already exists. */
export const secretSourceSchema = z.union(
  [
    credential,
    z.strictObject({
      secretName: dnsLabel,
      key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
        error: "{input} is not a Secret key (letters, digits, '-', '_' and '.')",
      }),
    }),
  ],
  {
    error: "must be a Pulumi secret or { secretName, key } of an existing Secret",
  },
);
