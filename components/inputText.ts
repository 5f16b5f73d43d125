/**
 * Every string of a stack's config, checked for where it lands before the schema sees it: values reach
 * grafana.ini, Alertmanager's and Prometheus' configuration files, YAML manifests, terminals and the PR
 * comment, so
 *  - no control character anywhere (ESC, NUL, DEL, C1), nor Unicode line separators or bidi overrides;
 *  - no line break (CR, LF) except in fields that are multi-line by nature (PromQL, annotations);
 *  - no template syntax `{{` except in fields that Prometheus or Alertmanager render as templates;
 *  - a length cap per string, and the same rules on keys (labels, annotations, selectors);
 *  - no key `__proto__`, `constructor` or `prototype`: a record would drop it without a word (a route's
 *    `matchers: { __proto__: x }` would match every alert).
 * Messages name the key path and what was wrong, never the value.
 */

import { URL_CREDENTIALS_MESSAGE, urlCarriesCredentials } from "./schemaPrimitives";

/** Longest single-line string (a URL, a name, a label value). */
export const MAX_LINE_LENGTH = 2048;
/** Longest multi-line string (a PromQL expression, an annotation). */
export const MAX_TEXT_LENGTH = 65_536;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LINE_BREAK = /[\r\n]/;
/** Keys JavaScript objects treat specially; the schema's records drop them silently. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const CARRIAGE_RETURN = /\r/;

type Path = readonly (string | number)[];

const last = (p: Path) => String(p[p.length - 1] ?? "");
const parent = (p: Path) => String(p[p.length - 2] ?? "");

/** Under a rule (custom alerts, rule groups): where PromQL, rule labels and annotations are. */
const inRule = (p: Path) => p.includes("rules") || p.includes("custom");

/** Fields that are multi-line by nature: PromQL, and a rule's annotation text. */
export const isMultiLine = (p: Path): boolean =>
  ["expr", "errorQuery", "totalQuery"].includes(last(p)) || (parent(p) === "annotations" && inRule(p));

/**
 * Fields that are templates: annotations, labels of a custom rule (Prometheus templates them), the SLO
 * queries' `{{window}}`, Opsgenie's priority.
 */
export const isTemplate = (p: Path): boolean =>
  (["annotations", "labels"].includes(parent(p)) && inRule(p)) ||
  ["errorQuery", "totalQuery", "priority"].includes(last(p));

export function formatKeyPath(p: Path): string {
  return p.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/** What is wrong with one string at `p` for where it lands; undefined when nothing is. */
export function textProblem(text: string, p: Path, asKey = false): string | undefined {
  const multi = !asKey && isMultiLine(p);
  if (CONTROL.test(text)) return "holds a control character (ESC, NUL, DEL, a bidi override or the like)";
  if (LINE_BREAK.test(text) && (!multi || CARRIAGE_RETURN.test(text)))
    return multi ? "holds a carriage return" : "holds a line break; it must be one line";
  if (/\t/.test(text) && !multi) return "holds a tab; it must be one line of plain text";
  if (text.includes("{{") && (asKey || !isTemplate(p)))
    return "holds template syntax ({{); only annotations, rule labels and SLO queries are templates";
  // Every URL-like value, whatever its field: probe targets, health and metrics paths, federation,
  // runbooks, OAuth endpoints. PromQL is exempt (a label matcher may quote any text).
  if (!asKey && !["expr", "errorQuery", "totalQuery"].includes(last(p)) && urlCarriesCredentials(text))
    return URL_CREDENTIALS_MESSAGE;
  const max = multi ? MAX_TEXT_LENGTH : MAX_LINE_LENGTH;
  if (text.length > max) return `is ${text.length} characters long; at most ${max}`;
  return undefined;
}

/**
 * Problems with every string (and key) in `raw`, as `<key path>: <what>`, never echoing the value.
 * `skip` exempts paths whose values never reach a configuration file as text (Pulumi secrets, which
 * reach Kubernetes Secrets only): they are held to the control-character rule alone.
 */
export function inputTextProblems(
  raw: unknown,
  skip: (p: Path) => boolean = () => false,
  at: Path = [],
): string[] {
  if (typeof raw === "string") {
    if (skip(at))
      return CONTROL.test(raw.replace(/[\r\n]/g, ""))
        ? [`${formatKeyPath(at)}: holds a control character`]
        : [];
    const problem = textProblem(raw, at);
    return problem ? [`${formatKeyPath(at)}: ${problem}`] : [];
  }
  if (Array.isArray(raw)) return raw.flatMap((v, i) => inputTextProblems(v, skip, [...at, i]));
  if (raw && typeof raw === "object") {
    return Object.entries(raw).flatMap(([key, value]) => {
      const here = [...at, key];
      if (RESERVED_KEYS.has(key))
        return [
          `${at.length ? `${formatKeyPath(at)}: the key` : "the top-level key"} ${key} is reserved (JavaScript would drop it); use another`,
        ];
      const problem = textProblem(key, here, true);
      // A bad key is reported by position, not by its text.
      if (problem) return [`${formatKeyPath([...at, "<key>"])}: a key ${problem}`];
      return inputTextProblems(value, skip, here);
    });
  }
  return [];
}
