/**
 * Fuzz-style: hostile strings in every string field of the schema (the fixture sets one in each). Each
 * is refused naming the key, never echoing a control character, or accepted only where it is harmless
 * for where it lands (checked against the plan's outputs in the output specs).
 */
import { strict as assert } from "node:assert";
import { ConfigError, formatPath, parseStackConfig } from "../../components/config";
import { displayPath } from "../../components/configLocation";
import { isMultiLine, isTemplate } from "../../components/inputText";
import { fullConfig, stringLeaves, withLeaf } from "./fixture";

export const HOSTILE = {
  newline: "x\n[auth.anonymous]\nenabled = true",
  carriageReturn: "x\rinjected",
  escape: "x\u001b]0;pwned\u0007\u001b[2J",
  nul: "x\u0000y",
  bidi: "x\u202eevil",
  template: "{{ .CommonLabels }}",
  markup: "<img src=x onerror=alert(1)> **bold** [x](https://evil.example) | `tick`",
  path: "../../../etc/passwd",
  long: "a".repeat(70_000),
  grafanaExpansion: "$__file{/etc/passwd}",
  workflowCommand: "::error::pwned",
} as const;

/** Must be refused wherever they are put, except where the field's nature allows them. */
const ALWAYS_REFUSED: (keyof typeof HOSTILE)[] = ["carriageReturn", "escape", "nul", "bidi", "long"];

function parse(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig("fuzz", raw);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    return err.problems;
  }
}

describe("fuzz: hostile strings in every string field", () => {
  const base = fullConfig();
  const leaves = stringLeaves(base);

  it("the fixture itself is valid and sets strings in every section", () => {
    assert.deepEqual(parse(base), []);
    assert.ok(leaves.length >= 50, `only ${leaves.length} string fields`);
    for (const section of ["grafana", "alerting", "apps", "remoteWrite", "federation", "prometheus"])
      assert.ok(
        leaves.some((l) => l[0] === section),
        section,
      );
  });

  for (const [kind, hostile] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    it(`${kind}: refused naming the key, or accepted only where harmless`, () => {
      let refused = 0;
      for (const leaf of leaves) {
        const problems = parse(withLeaf(base, leaf, hostile));
        const at = formatPath(leaf);
        const multi = isMultiLine(leaf);
        const mustRefuse =
          ALWAYS_REFUSED.includes(kind) ||
          (kind === "newline" && !multi) ||
          (kind === "template" && !isTemplate(leaf)) ||
          (kind === "grafanaExpansion" && leaf[1] === "sso");
        if (!problems.length) {
          assert.ok(!mustRefuse, `${kind} accepted at ${at}`);
          continue;
        }
        refused += 1;
        // Named: the key itself, or the object holding it when the schema judges the whole (a union).
        const named = problems.some((p) => {
          const key = p.slice("fuzz: ".length).split(": ")[0];
          // Messages name apps and receivers by name (apps[checkout]); the index form is the leaf's path.
          const shown = displayPath(leaf, base as Record<string, unknown>);
          return p.startsWith("fuzz: ") && [at, shown].some((a) => a === key || a.startsWith(key));
        });
        assert.ok(named, `${kind} at ${at}: ${problems.join(" / ")}`);

        assert.ok(!problems.some((p) => /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(p)), at);
        assert.ok(!problems.some((p) => p.includes(HOSTILE.long)), `${at}: the long value is echoed`);
      }
      assert.ok(refused > 0);
    });
  }

  it("hostile keys (labels, annotations, selectors) are refused by position, without echo", () => {
    for (const key of [HOSTILE.newline, HOSTILE.escape, HOSTILE.template, HOSTILE.long]) {
      const raw = withLeaf(base, ["grafana", "ingress", "annotations"], { [key]: "v" });
      const problems = parse(raw);
      assert.equal(problems.length, 1, key);
      assert.match(problems[0], /^fuzz: grafana\.ingress\.annotations(\.<key>)?: /);
      assert.ok(!problems[0].includes(key));
    }
  });
});
