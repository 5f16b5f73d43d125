/**
 * Prometheus and Alertmanager regexes are Go's RE2, anchored by wrapping: both compile `^(?:` + pattern +
 * `)$`, so `a)|(?:b` is accepted and a pattern nested one level short of RE2's limit is not. `(?i)`,
 * `[[:alpha:]]` and `\z` are RE2 syntax that JavaScript's RegExp refuses or reads otherwise. They are
 * judged here as the servers judge them, with re2js (a port of RE2) on the same wrapped text: its parse
 * errors are Go's, and its matching takes linear time, so a hostile pattern cannot stall the gate. Plain
 * alternations of literals (`ns-a|ns-b`), the common case, are matched without loading it. (Prometheus 3
 * wraps in `(?s:` instead, letting `.` match a newline; label values with newlines are left aside.)
 */
import type { RE2JS } from "re2js";

/** `a|b-c|d_e`: literals joined by `|`, no other regex syntax. */
const LITERALS = /^[A-Za-z0-9_\-/: ]*(\|[A-Za-z0-9_\-/: ]*)*$/;

type Compiled = { ok: true; test: (value: string) => boolean } | { ok: false; error: string };
const compiled = new Map<string, Compiled>();
let engine: typeof RE2JS | undefined;

function compile(pattern: string): Compiled {
  pattern = String(pattern);
  let c = compiled.get(pattern);
  if (c) return c;
  if (LITERALS.test(pattern)) {
    const alternatives = new Set(pattern.split("|"));
    c = { ok: true, test: (value) => alternatives.has(String(value)) };
  } else {
    // Loaded on first use: most stacks' patterns are literals.
    // oxlint-disable-next-line typescript/no-require-imports -- lazy, see above
    engine ??= (require("re2js") as typeof import("re2js")).RE2JS;
    const wrapped = `^(?:${pattern})$`;
    try {
      const re = engine.compile(wrapped);
      c = { ok: true, test: (value) => re.test(String(value)) };
    } catch (err) {
      // Go quotes the text it could not parse; said of the pattern as written when that is the whole.
      const message = err instanceof Error ? err.message : String(err);
      c = { ok: false, error: message.replace(`\`${wrapped}\``, `\`${pattern}\``) };
    }
  }
  if (compiled.size >= 512) compiled.clear();
  compiled.set(pattern, c);
  return c;
}

/** Whether `value` matches `pattern` whole, as Prometheus and Alertmanager match; undefined when `pattern` is not RE2. */
export function fullMatch(pattern: string, value: string): boolean | undefined {
  const c = compile(pattern);
  return c.ok ? c.test(value) : undefined;
}

/** RE2's parse error for `pattern` (as Go prints it), or undefined when RE2 accepts it. */
export function regexError(pattern: string): string | undefined {
  const c = compile(pattern);
  return c.ok ? undefined : c.error;
}
