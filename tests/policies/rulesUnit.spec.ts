/**
 * policies/rules.ts case by case: how every rule policy names a rule (ruleWhere, which `npm run check`
 * keys lines on, and ruleWheres), what a PrometheusRule may hold that is not a rule, the `for` bounds at
 * their edges, copies and duplicates, runbook links, the settings' schemas. Pure; mutation testing runs
 * it for policies/rules.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyConfigError, loadPolicyConfig } from "../../policies/harness";
import {
  alertRuleQuality,
  alertRunbookUrl,
  ruleConventions,
  ruleWhere,
  ruleWheres,
} from "../../policies/rules";
import type { Policy } from "../../policies/util";
import { resourceOf, violationsOf } from "../helpers/policies";

const TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const of = (groups: unknown, kind = "PrometheusRule") => resourceOf(TYPE, "r", { kind, spec: { groups } });
const one = (rules: unknown[]) => of([{ name: "g", rules }]);
const found = (policy: Policy, resources: ReturnType<typeof of>[], config = {}) =>
  violationsOf(policy, resources, config).map((v) => [v.enforcementLevel, v.message]);
const alert = (extra: object = {}) => ({
  alert: "A",
  expr: "up == 0",
  for: "5m",
  labels: { severity: "warning" },
  annotations: { summary: "s", description: "d", runbook_url: "https://runbooks/a" },
  ...extra,
});
const W = "PrometheusRule r: group g rule";

describe("policies/rules (unit)", () => {
  it("ruleWhere and ruleWheres name each rule alike: alert or record, else its position, and which of several", () => {
    const rules = [
      { alert: "A" },
      { record: "x:y:z" },
      { alert: "A", record: "ignored" },
      {},
      null,
      { alert: "B" },
      { alert: "A" },
    ];
    const expected = [
      "PrometheusRule r: group g rule A (1 of 3)",
      "PrometheusRule r: group g rule x:y:z",
      "PrometheusRule r: group g rule A (2 of 3)",
      "PrometheusRule r: group g rule #4 (1 of 2)",
      "PrometheusRule r: group g rule #5 (2 of 2)",
      "PrometheusRule r: group g rule B",
      "PrometheusRule r: group g rule A (3 of 3)",
    ];
    const group = { name: "g", rules };
    assert.deepEqual(ruleWheres("r", group), expected);
    assert.deepEqual(
      rules.map((_, i) => ruleWhere("r", group, i)),
      expected,
    );
    // Without a group name, or without a rule list.
    assert.deepEqual(ruleWheres("r", { rules: [{ alert: "A" }] }), ["PrometheusRule r: group ? rule A"]);
    assert.equal(ruleWhere("r", { rules: [{ alert: "A" }] }, 0), "PrometheusRule r: group ? rule A");
    assert.deepEqual(ruleWheres("r", { name: "g", rules: "A" }), []);
    assert.equal(ruleWhere("r", { name: "g", rules: "A" }, 1), "PrometheusRule r: group g rule #2");
    assert.equal(ruleWhere("r", { name: "g" }, 0), "PrometheusRule r: group g rule #1");
  });

  it("judges only PrometheusRules, and reads a rule list that is missing or not a list as none", () => {
    const bad = [{ name: "g", rules: [{ alert: "A" }] }];
    for (const policy of [alertRuleQuality, alertRunbookUrl, ruleConventions]) {
      assert.deepEqual(found(policy, [of(bad, "ConfigMap")]), [], policy.name);
      assert.deepEqual(
        found(policy, [
          of("g"),
          of(undefined),
          resourceOf(TYPE, "r", { kind: "PrometheusRule" }),
          of([{ name: "g", rules: "A" }, null]),
        ]),
        [],
        policy.name,
      );
    }
  });

  it("alert-rule-quality: an entry that is no rule, an expression that is no string", () => {
    assert.deepEqual(found(alertRuleQuality, [one([null, alert({ expr: 1 })])]), [
      ["mandatory", `${W} #1: expr is not valid PromQL near "" (offset 0); fix it or the rule never loads.`],
      ["mandatory", `${W} #1: has neither alert nor record.`],
    ]);
    // A record named "" is a record (rule-conventions judges its name); an alert named "" is nothing.
    // Neither name is a name: both are named by their position.
    assert.deepEqual(found(alertRuleQuality, [one([{ record: "", expr: "up" }, alert({ alert: "" })])]), [
      ["mandatory", `${W} #2 (2 of 2): has neither alert nor record.`],
    ]);
  });

  it("alert-rule-quality: maxFor holds at the bound, not above it, and never an unreadable for", () => {
    const config = { "alert-rule-quality": { maxFor: "1h" } };
    assert.deepEqual(found(alertRuleQuality, [one([alert({ for: "60m" })])], config), []);
    assert.deepEqual(found(alertRuleQuality, [one([alert({ for: "61m" })])], config), [
      ["mandatory", `${W} A: for 61m is longer than 1h, this stack's maximum.`],
    ]);
    assert.deepEqual(found(alertRuleQuality, [one([alert({ for: 5 })])], config), [
      ["mandatory", `${W} A: for 5 is not a Prometheus duration.`],
    ]);
    // Unset: no bound at all.
    assert.deepEqual(found(alertRuleQuality, [one([alert({ for: "3650d" })])]), []);
  });

  it("alert-rule-quality: a copy has the same name, labels in any order and expression up to outer spaces", () => {
    const a = alert({ labels: { severity: "warning", team: "t" } });
    const copy = alert({ expr: "  up == 0\n", labels: { team: "t", severity: "warning" } });
    assert.deepEqual(found(alertRuleQuality, [one([a, copy])]), [
      [
        "mandatory",
        `${W} A (2 of 2): is an exact copy (name, labels and expr) of an earlier rule of this file.`,
      ],
    ]);
    // The earlier rule's spaces do not matter either.
    assert.deepEqual(found(alertRuleQuality, [one([copy, a])]), [
      [
        "mandatory",
        `${W} A (2 of 2): is an exact copy (name, labels and expr) of an earlier rule of this file.`,
      ],
    ]);
    assert.deepEqual(
      found(alertRuleQuality, [one([a, alert({ labels: { severity: "warning", team: "u" } })])]),
      [],
    );
    assert.deepEqual(found(alertRuleQuality, [one([a, { ...a, expr: "up == 1" }])]), []);
    // Across groups of one file too.
    assert.deepEqual(
      found(alertRuleQuality, [
        of([
          { name: "g", rules: [a] },
          { name: "h", rules: [a] },
        ]),
      ]),
      [
        [
          "mandatory",
          "PrometheusRule r: group h rule A: is an exact copy (name, labels and expr) of an earlier rule of this file.",
        ],
      ],
    );
  });

  it("alert-rule-quality: no labels means no severity; annotations are required present and non-empty", () => {
    assert.deepEqual(found(alertRuleQuality, [one([alert({ labels: undefined, annotations: undefined })])]), [
      ["mandatory", `${W} A: severity null is not one of critical, warning, info, none; routes match on it.`],
      ["mandatory", `${W} A: annotation summary is missing; on-call reads it first.`],
      ["mandatory", `${W} A: annotation description is missing; on-call reads it first.`],
    ]);
    assert.deepEqual(
      found(alertRuleQuality, [one([alert({ annotations: { summary: "", runbook: "x" } })])], {
        "alert-rule-quality": { requiredAnnotations: ["summary", "runbook"] },
      }),
      [["mandatory", `${W} A: annotation summary is missing; on-call reads it first.`]],
    );
  });

  it("alert-rule-quality: names the labels an aggregation keeps", () =>
    assert.deepEqual(
      found(alertRuleQuality, [
        one([
          alert({
            expr: "sum by (b, a) (up) == 0",
            annotations: { summary: "{{ $labels.c }}", description: "d" },
          }),
        ]),
      ]),
      [
        [
          "mandatory",
          `${W} A: its annotations use $labels.c, which the expression's aggregation drops (it keeps b, a).`,
        ],
      ],
    ));

  it("each rule policy is configured under its own name", () => {
    const bad = one([alert({ for: "0", labels: {}, annotations: {} })]);
    for (const [name, policy] of [
      ["alert-rule-quality", alertRuleQuality],
      ["alert-runbook-url", alertRunbookUrl],
      ["rule-conventions", ruleConventions],
    ] as const) {
      assert.notDeepEqual(found(policy, [bad]), [], name);
      assert.deepEqual(found(policy, [bad], { [name]: "disabled" }), [], name);
    }
  });

  it("alert-rule-quality: an aggregation that keeps no labels says so", () =>
    assert.deepEqual(
      found(alertRuleQuality, [
        one([
          alert({ expr: "sum(up) == 0", annotations: { summary: "{{ .Labels.job }}", description: "d" } }),
        ]),
      ]),
      [
        [
          "mandatory",
          `${W} A: its annotations use $labels.job, which the expression's aggregation drops (it keeps no labels).`,
        ],
      ],
    ));

  it("alert-runbook-url: an alert's runbook_url is a string starting http:// or https://", () => {
    const rows: [unknown, boolean][] = [
      ["https://runbooks/a", true],
      ["http://runbooks/a", true],
      ["ftp://runbooks/a", false],
      ["see https://runbooks/a", false],
      ["https:/runbooks", false],
      [["https://runbooks/a"], false],
      [undefined, false],
    ];
    for (const [url, ok] of rows) {
      const rule = alert({ annotations: { summary: "s", description: "d", runbook_url: url } });
      assert.deepEqual(
        found(alertRunbookUrl, [one([rule])]),
        ok ? [] : [["advisory", `${W} A: has no runbook_url; link the page on-call should open.`]],
        JSON.stringify(url),
      );
    }
    assert.deepEqual(found(alertRunbookUrl, [one([{ record: "a:b:c", expr: "up" }, { expr: "up" }])]), []);
  });

  it("rule-conventions: recording names from a letter or _, two colons at least, nothing after", () => {
    const rows: [string, boolean][] = [
      ["job:x:rate5m", true],
      ["_job:x:", true],
      ["a::", true],
      ["a:b:c:d", true],
      ["1job:x:rate5m", false],
      [":job:x", false],
      ["job:x:rate5m ", false],
      ["job:x-y:z", false],
      ["job:x", false],
    ];
    for (const [name, ok] of rows)
      assert.deepEqual(
        found(ruleConventions, [one([{ record: name, expr: "up" }])]),
        ok
          ? []
          : [
              [
                "advisory",
                `${W} ${name}: recording rule ${name} does not follow level:metric:operations (like job:http_requests:rate5m).`,
              ],
            ],
        name,
      );
  });

  it("rule-conventions: maxFor holds at the bound and advises above it; for: 0 over a comparison is no for", () => {
    const config = { "rule-conventions": { maxFor: "1h" } };
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "60m" })])], config), []);
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "61m" })])], config), [
      ["advisory", `${W} A: for 61m is longer than 1h; the alert would page after the damage is done.`],
    ]);
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "1d" })])]), []);
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "25h" })])]), [
      ["advisory", `${W} A: for 25h is longer than 1d; the alert would page after the damage is done.`],
    ]);
    const zero = (f: string) => [
      "advisory",
      `${W} A: alert A has for ${f} on the comparison up == 0; one evaluation over the threshold pages (a scrape gap, a restart): add for: 5m or more.`,
    ];
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "0" })])]), [zero("0")]);
    assert.deepEqual(found(ruleConventions, [one([alert({ for: "0m" })])]), [zero("0m")]);
  });

  it("rule-conventions: a duplicate is the same name and labels with another expression, unless an exact copy came first", () => {
    const rec = (expr: string, labels?: object) => ({ record: "a:b:c", expr, labels });
    const dup = (n: number, of: number, kind = "record a:b:c") =>
      [
        "advisory",
        `${W} ${kind === "record a:b:c" ? "a:b:c" : "A"} (${n} of ${of}): ${kind} with these labels is already in this file, with another expr (promtool's duplicate-rules lint); Prometheus loads both: fine when their selectors are disjoint, else their series collide.`,
      ] as const;
    assert.deepEqual(found(ruleConventions, [one([rec("x"), rec(" y ")])]), [dup(2, 2)]);
    // Labels in another order are the same labels; other labels are another rule.
    assert.deepEqual(
      found(ruleConventions, [one([rec("x", { a: "1", b: "2" }), rec("y", { b: "2", a: "1" })])]),
      [dup(2, 2)],
    );
    assert.deepEqual(found(ruleConventions, [one([rec("x", { a: "1" }), rec("y", { a: "2" })])]), []);
    // Only spaces apart: the same expression (alert-rule-quality refuses the copy).
    assert.deepEqual(found(ruleConventions, [one([rec("x"), rec(" x\n")])]), []);
    assert.deepEqual(found(ruleConventions, [one([rec(" x\n"), rec("x")])]), []);
    // An exact copy up to spaces, after a duplicate: the copy is no duplicate (alert-rule-quality refuses it).
    assert.deepEqual(found(ruleConventions, [one([rec("x"), rec("y"), rec(" x ")])]), [dup(2, 3)]);
    assert.deepEqual(found(ruleConventions, [one([rec(" x "), rec("y"), rec("x")])]), [dup(2, 3)]);
    // A copy of the first, then another expression: the third is the duplicate, not the copy.
    assert.deepEqual(found(ruleConventions, [one([rec("x"), rec("x"), rec("y")])]), [dup(3, 3)]);
    assert.deepEqual(found(ruleConventions, [one([rec("x"), rec("y"), rec("x")])]), [dup(2, 3)]);
    assert.deepEqual(found(ruleConventions, [one([alert(), alert({ expr: "up == 1" })])]), [
      dup(2, 2, "alert A"),
    ]);
    // An entry with neither name is nobody's duplicate.
    assert.deepEqual(found(ruleConventions, [one([{ expr: "up" }])]), []);
  });

  /** The problems loadPolicyConfig finds in one setting of a rule policy. */
  const settingProblems = (policy: Policy, settings: object) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-rules-"));
    try {
      fs.writeFileSync(
        path.join(dir, "config.probe.json"),
        JSON.stringify({ profile: "dev", [policy.name]: settings }),
      );
      loadPolicyConfig("probe", dir, [policy], "dev");
      return [];
    } catch (err) {
      if (!(err instanceof PolicyConfigError)) throw err;
      return err.problems.map((p) => p.replace(/^.*config\.probe\.json: /, ""));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  };

  it("takes settings of the types their schemas say", () => {
    const q = alertRuleQuality;
    assert.deepEqual(
      settingProblems(q, { severities: ["page"], requiredAnnotations: ["summary"], maxFor: "1h" }),
      [],
    );
    assert.deepEqual(settingProblems(q, { severities: "page", requiredAnnotations: [1], maxFor: 60 }), [
      'alert-rule-quality.severities: "page" must be array',
      "alert-rule-quality.requiredAnnotations: [1] must be string",
      "alert-rule-quality.maxFor: 60 must be string",
    ]);
    assert.deepEqual(settingProblems(q, { severities: [1] }), [
      "alert-rule-quality.severities: [1] must be string",
    ]);
    assert.deepEqual(settingProblems(q, { requiredAnnotations: "summary" }), [
      'alert-rule-quality.requiredAnnotations: "summary" must be array',
    ]);
    assert.deepEqual(settingProblems(ruleConventions, { requireFor: "no", maxFor: 1 }), [
      'rule-conventions.requireFor: "no" must be boolean',
      "rule-conventions.maxFor: 1 must be string",
    ]);
  });
});
