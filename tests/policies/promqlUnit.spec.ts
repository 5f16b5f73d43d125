/**
 * policies/promql.ts function by function, table-driven: where an expression stops parsing, the
 * mistakes that block, the counter-name heuristic, the labels an aggregation keeps, the comparison that
 * makes an alert fire, template label references. Pure; mutation testing runs it for promql.ts.
 */
import { strict as assert } from "node:assert";
import {
  comparisonOf,
  labelsAfter,
  promqlHeuristics,
  promqlMistakes,
  promqlSyntaxError,
  templateLabelRefs,
} from "../../policies/promql";

const ABSENT =
  "is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone";
const COUNTER =
  "whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata)";
const never = (braces: string, label: string) =>
  `${braces} can never match: the matchers on ${label} contradict each other`;

describe("promql (unit)", () => {
  it("promqlSyntaxError: empty or blank at 0, else the first error's offset with 15 characters either side", () => {
    const long = "sum(rate(http_requests_total[5m])) by (job) +* 1";
    assert.deepEqual(
      ["", "  ", "up", "up +", "up + * 1 + 2 + 3 + 4 + 5 + 6 + 7", long, "up{", "(up +) + (up +)"].map(
        promqlSyntaxError,
      ),
      [
        { at: 0, near: "" },
        { at: 0, near: "" },
        undefined,
        { at: 4, near: "up +" },
        { at: 5, near: "up + * 1 + 2 + 3 + 4" },
        { at: 45, near: "m])) by (job) +* 1" },
        { at: 3, near: "up{" },
        // The first of two errors.
        { at: 5, near: "(up +) + (up +)" },
      ],
    );
  });

  it("promqlMistakes: absent() over `== 0` only, a string Prometheus cannot read, contradicting matchers", () => {
    const rows: [string, string[]][] = [
      ["absent(up == 0)", [`absent(up == 0) ${ABSENT}`]],
      ["absent(up == 0.0)", [`absent(up == 0.0) ${ABSENT}`]],
      ["absent(sum(up) == 0)", [`absent(sum(up) == 0) ${ABSENT}`]],
      ["absent(up == 1)", []],
      ["absent(up != 0)", []],
      ["absent(up > 0)", []],
      ["absent_over_time(up[5m])", []],
      ["abs(up == 0)", []],
      ["absent(up)", []],
      // The comparison around absent() is not inside it.
      ["absent(up) == 0", []],
      ["absent(up == 0) == 0", [`absent(up == 0) ${ABSENT}`]],
      // Not PromQL: promqlSyntaxError reports it, nothing else.
      ["absent(up == 0", []],
      ['x{a="b", a="b"}', []],
      ['x{a="b", a="c"}', [never('{a="b", a="c"}', "a")]],
      ['x{a="b", a!="b"}', [never('{a="b", a!="b"}', "a")]],
      ['x{a="b", a!="c"}', []],
      ['x{a="b", a=~"b|c"}', []],
      ['x{a="b", a=~"c|d"}', [never('{a="b", a=~"c|d"}', "a")]],
      // Fully anchored, as Prometheus anchors it.
      ['x{a="bc", a=~"b"}', [never('{a="bc", a=~"b"}', "a")]],
      ['x{a="b", a!~"c"}', []],
      ['x{a="b", a!~"b|c"}', [never('{a="b", a!~"b|c"}', "a")]],
      // An unreadable regex counts as matching.
      ['x{a="b", a=~"("}', []],
      ['x{a="b", b="c"}', []],
      ['x{a="b"} + y{a!="b"}', []],
      ['x{a!="b", a=~"b"}', []],
      [
        'absent(up{job="x"} == 0) + x{a="1", a="2"}',
        [`absent(up{job="x"} == 0) ${ABSENT}`, never('{a="1", a="2"}', "a")],
      ],
    ];
    assert.deepEqual(
      rows.map(([expr]) => [expr, promqlMistakes(expr)]),
      rows,
    );
  });

  it("promqlHeuristics: rate, irate and increase over a name that does not say counter", () => {
    const rows: [string, string[]][] = [
      ["rate(x[5m])", [`rate() over x, ${COUNTER}`]],
      ["irate(x[5m])", [`irate() over x, ${COUNTER}`]],
      ["increase(x[5m])", [`increase() over x, ${COUNTER}`]],
      ["sum(rate(x[5m] offset 1m))", [`rate() over x, ${COUNTER}`]],
      ["rate(x[5m]) / rate(y[5m])", [`rate() over x, ${COUNTER}`, `rate() over y, ${COUNTER}`]],
      ["deriv(x[5m])", []],
      ["delta(x[5m])", []],
      ["rate(x_total[5m])", []],
      ["rate(x_count[5m])", []],
      ["rate(x_sum[5m])", []],
      ["rate(x_bucket[5m])", []],
      ["rate(node_vmstat_pgfault[5m])", []],
      // The suffix ends the name, the prefix starts it.
      ["rate(x_total_y[5m])", [`rate() over x_total_y, ${COUNTER}`]],
      ["rate(my_node_vmstat_x[5m])", [`rate() over my_node_vmstat_x, ${COUNTER}`]],
      // A recording rule's name, a selector without a name: nothing to judge.
      ["rate(job:x:rate5m[5m])", []],
      ['rate({job="x"}[5m])', []],
      ["rate(x[5m]", []],
    ];
    assert.deepEqual(
      rows.map(([expr]) => [expr, promqlHeuristics(expr)]),
      rows,
    );
  });

  it("labelsAfter: a by aggregation's labels through parentheses and comparisons with a number, else undefined", () => {
    const rows: [string, string[] | undefined][] = [
      ["sum by (job) (x) > 1", ["job"]],
      ["1 < sum by (job) (x)", ["job"]],
      ["sum(x) by (job, le)", ["job", "le"]],
      ["((sum by (a) (x)))", ["a"]],
      ["(sum by (a) (x)) >= 0.5", ["a"]],
      ['sum by ("label.x", job) (x)', ["label.x", "job"]],
      ["sum by () (x)", []],
      ...["==", "!=", ">", "<", ">=", "<="].map((op): [string, string[]] => [
        `sum by (j) (x) ${op} 0`,
        ["j"],
      ]),
      ...["sum", "min", "max", "avg", "count", "group", "stddev", "stdvar"].map((op): [string, string[]] => [
        `${op}(x)`,
        [],
      ]),
      ["quantile(0.9, x)", []],
      ["sum by (a) (x) > sum(y)", undefined],
      ["1 > 2", undefined],
      ["x", undefined],
      ["topk(3, x)", undefined],
      ["bottomk(1, x)", undefined],
      ['count_values("v", x)', undefined],
      ["limitk(1, x)", undefined],
      ["sum without (a) (x)", undefined],
      ["sum by (job) (x) + 1", undefined],
      ["sum by (job) (x) and on() vector(1)", undefined],
      ['sum by ("a\\q") (x)', undefined],
      ["sum by (job (x)", undefined],
    ];
    assert.deepEqual(
      rows.map(([expr]) => {
        const kept = labelsAfter(expr);
        return [expr, kept && [...kept]];
      }),
      rows,
    );
  });

  it("comparisonOf: the first comparison that filters a selector, spaces collapsed, cut after 119 characters", () => {
    const name116 = "x".repeat(116);
    const name117 = "x".repeat(117);
    const rows: [string, string | undefined][] = [
      ["up == 0", "up == 0"],
      ["up   >\n  1", "up > 1"],
      ...["!=", ">=", "<=", "<", ">"].map((op): [string, string] => [`up ${op} 1`, `up ${op} 1`]),
      ["sum(up) > 1 and rate(x[5m]) < 2", "sum(up) > 1"],
      ["1 > bool up", undefined],
      ["1 > 2", undefined],
      ["vector(1) > 0", undefined],
      ["up + 1", undefined],
      ["up >", undefined],
      [`${name116} > 1`, `${name116} > 1`],
      [`${name117} > 1`, `${name117} >…`],
    ];
    assert.deepEqual(
      rows.map(([expr]) => [expr, comparisonOf(expr)]),
      rows,
    );
  });

  it("templateLabelRefs: $labels.x and .Labels.x, names as Prometheus spells them", () =>
    assert.deepEqual(
      templateLabelRefs(
        "{{ $labels.job }} {{ .Labels.pod_1 }} {{ $labels.1x }} $labels. {{ $value }} $labelsx.y",
      ),
      ["job", "pod_1"],
    ));
});
