import { strict as assert } from "node:assert";
import { comparisonOf, labelsAfter, promqlMistakes } from "../../policies/promql";
import { decodeString, selectorsOf, usesQuotedNames } from "../../policies/promqlSyntax";
import { alertRuleQuality, ruleConventions } from "../../policies/rules";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const ruleResource = (rules: unknown[]) =>
  resourceOf("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "strings", {
    kind: "PrometheusRule",
    spec: { groups: [{ name: "strings", rules }] },
  });
const alert = (name: string, expr: string) => ({
  alert: name,
  expr,
  for: "5m",
  labels: { severity: "warning" },
  annotations: { summary: "s", description: "d" },
});

describe("PromQL strings and names as Prometheus reads them", () => {
  it("decodes double, single and backtick strings with Go's escapes", () => {
    assert.equal(decodeString('"a\\"b"'), 'a"b');
    assert.equal(decodeString("'b\\'c'"), "b'c");
    assert.equal(decodeString("'say \"hi\"'"), 'say "hi"');
    assert.equal(decodeString("`.*\\d+`"), ".*\\d+");
    assert.equal(decodeString('"\\x41\\102\\u00e9\\U0001F600\\t"'), "ABé😀\t");
    // \x and octal escapes are bytes: two of them make one UTF-8 character.
    assert.equal(decodeString('"\\xc3\\xa9"'), "é");
    assert.equal(decodeString('"\\\\"'), "\\");
  });

  it("takes a literal without escapes as it is, a lone surrogate as U+FFFD, a bare quote or newline refused", () => {
    assert.equal(decodeString('"app-0001"'), "app-0001");
    assert.equal(decodeString("'é😀 x'"), "é😀 x");
    assert.equal(decodeString('"a\ud800b"'), "a\ufffdb");
    assert.equal(decodeString('"a"b"'), undefined);
    assert.equal(decodeString("'a\nb'"), undefined);
  });

  it("refuses what Prometheus refuses: unknown escapes, the other quote escaped, short hex", () => {
    for (const bad of ['"\\q"', '"\\\'"', "'\\\"'", '"\\x4"', '"\\400"', '"\\ud800"', '"a', "`a`b`"]) {
      assert.equal(decodeString(bad), undefined, bad);
    }
  });

  it("reads selectors with quoted UTF-8 names, backticks and __name__", () => {
    const [utf8, raw, byName] = selectorsOf(
      '{"my.metric", "label.x"="v"} + on() up{integration=~`.*`, a=\'b\\\'c\'} + {__name__="foo", job!=""}',
    );
    assert.deepEqual(utf8.matchers, [
      { label: "__name__", op: "=", value: "my.metric" },
      { label: "label.x", op: "=", value: "v" },
    ]);
    assert.equal(utf8.quotedNames, true);
    assert.deepEqual(raw.matchers, [
      { label: "__name__", op: "=", value: "up" },
      { label: "integration", op: "=~", value: ".*" },
      { label: "a", op: "=", value: "b'c" },
    ]);
    assert.equal(raw.quotedNames, false);
    assert.equal(byName.metric, "foo");
    assert.equal(usesQuotedNames('sum by ("a.b") (x)'), true);
    assert.equal(usesQuotedNames('x{a="b.c"}'), false);
  });

  it("judges contradictions on decoded values, whatever the quotes", () => {
    assert.deepEqual(promqlMistakes("up{integration=~`.*`} == 0"), []);
    assert.deepEqual(promqlMistakes("x{a='b\\'c', a!=\"b'c\"}"), [
      "{a='b\\'c', a!=\"b'c\"} can never match: the matchers on a contradict each other",
    ]);
    assert.deepEqual(promqlMistakes('x{a="\\x41", a=~`A|B`}'), []);
    assert.deepEqual(promqlMistakes('{"my.metric", "label.x"="v", "label.x"="w"}'), [
      '{"my.metric", "label.x"="v", "label.x"="w"} can never match: the matchers on label.x contradict each other',
    ]);
    assert.deepEqual([...labelsAfter('sum by ("label.x", job) ({"my.metric"}) > 1')!], ["label.x", "job"]);
    assert.equal(comparisonOf("sum(up > bool 0)"), undefined);
    assert.equal(comparisonOf("absent(up)"), undefined);
  });

  it("never crashes the pack on strings promtool accepts, and blocks only escapes Prometheus refuses", () => {
    const accepted = [
      alert(
        "Raw",
        "sum by (integration) (rate(alertmanager_notifications_failed_total{integration=~`.*`}[5m])) > 0",
      ),
      alert("Single", "up{job='kube\\'s'} == 0"),
      alert("Utf8", 'sum by ("label.x") (rate({"my.metric_total", "label.x"=~"v.*"}[5m])) > 0'),
    ];
    assertNoViolations(alertRuleQuality, [ruleResource(accepted)]);
    assertViolations(ruleConventions, [ruleResource(accepted)], []);
    assertViolations(
      alertRuleQuality,
      [ruleResource([alert("BadEscape", 'up{job="a\\qb"} == 0')])],
      [
        'PrometheusRule strings: group strings rule BadEscape: the string "a\\qb" has an escape Prometheus does not read (it takes \\a \\b \\f \\n \\r \\t \\v \\\\, the quote, \\xNN, \\NNN, \\uNNNN and \\UNNNNNNNN; backtick strings are raw).',
      ],
    );
  });
});
