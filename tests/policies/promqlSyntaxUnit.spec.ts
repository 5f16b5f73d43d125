/**
 * policies/promqlSyntax.ts literal by literal: every escape Go's strconv.Unquote reads (and what it
 * refuses), selectors with their metric name, matchers and quoted names, the parse cache. Pure;
 * mutation testing runs it for promqlSyntax.ts.
 */
import { strict as assert } from "node:assert";
import {
  Selector,
  decodeString,
  parseCacheSize,
  parsePromql,
  selectorsOf,
  usesQuotedNames,
} from "../../policies/promqlSyntax";

describe("promqlSyntax (unit)", () => {
  it("decodeString: each quote, each escape, and what Prometheus refuses", () => {
    const rows: [string, string | undefined][] = [
      ['""', ""],
      ["''", ""],
      ["``", ""],
      ["`a\\b`", "a\\b"],
      ["'a\"b'", 'a"b'],
      ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', "\x07\b\f\n\r\t\v\\"],
      ["'a\\'b'", "a'b"],
      ['"\\u00E9"', "é"],
      ['"\\U0010FFFF"', "\u{10FFFF}"],
      ['"\\101"', "A"],
      ['"\\000"', "\0"],
      // Bytes that are no UTF-8 become U+FFFD, as Go's strings print them.
      ['"\\xAF"', "\ufffd"],
      ['"\\377"', "\ufffd"],
      ['"\\xc3\\xa9\\u00e9"', "éé"],
      // Characters outside the BMP next to an escape stay whole.
      ['"é\\n😀x"', "é\n😀x"],
      ['"\\n\ud800"', "\n\ufffd"],
      // Refused: too short, no closing quote, not a quote, a backtick inside backticks.
      ['"', undefined],
      ["`", undefined],
      ["aa", undefined],
      ["\"a'", undefined],
      ["`a`b`", undefined],
      // A bare quote or newline, with escapes elsewhere or not.
      ['"a"b"', undefined],
      ['"\\na"b"', undefined],
      ['"\\n\nb"', undefined],
      // A backslash at the end, the other quote escaped, unknown escapes.
      ['"a\\"', undefined],
      ["'\\\"'", undefined],
      ['"\\\'"', undefined],
      ['"\\q"', undefined],
      ['"\\8"', undefined],
      // Short or bad hex, code points that are no characters.
      ['"\\x4g"', undefined],
      ['"\\u00e"', undefined],
      ['"\\U0001F60"', undefined],
      ['"\\uD800"', undefined],
      ['"\\uDFFF"', undefined],
      ['"\\U00110000"', undefined],
      // Octal: three digits, at most 255.
      ['"\\0"', undefined],
      ['"\\08"', undefined],
      ['"\\1"', undefined],
      ['"\\400"', undefined],
    ];
    assert.deepEqual(
      rows.map(([literal]) => [literal, decodeString(literal)]),
      rows,
    );
  });

  it("selectorsOf: the metric name from the identifier, a quoted name alone or __name__=, every matcher decoded", () => {
    /** Matchers sorted, so that the order the grammar lists quoted and unquoted ones in does not matter. */
    const read = (s: Selector) => ({
      ...s,
      matchers: s.matchers.map((m) => `${m.label}${m.op}${m.value}`).sort(),
    });
    const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const rows: [string, ReturnType<typeof read>[]][] = [
      ["x", [{ text: "x", metric: "x", matchers: ["__name__=x"], quotedNames: false }]],
      [
        'x{a="b", c!="d", e=~"f", g!~`h`}',
        [
          {
            text: 'x{a="b", c!="d", e=~"f", g!~`h`}',
            metric: "x",
            matchers: ["__name__=x", "a=b", "c!=d", "e=~f", "g!~h"],
            quotedNames: false,
          },
        ],
      ],
      [
        '{__name__="foo"}',
        [{ text: '{__name__="foo"}', metric: "foo", matchers: ["__name__=foo"], quotedNames: false }],
      ],
      // A regex on the name names no metric.
      [
        '{__name__=~"foo"}',
        [{ text: '{__name__=~"foo"}', metric: undefined, matchers: ["__name__=~foo"], quotedNames: false }],
      ],
      [
        '{"my.metric", "a.b"="1", c="2"}',
        [
          {
            text: '{"my.metric", "a.b"="1", c="2"}',
            metric: "my.metric",
            matchers: ["__name__=my.metric", "a.b=1", "c=2"],
            quotedNames: true,
          },
        ],
      ],
      ['{"a.b"="1"}', [{ text: '{"a.b"="1"}', metric: undefined, matchers: ["a.b=1"], quotedNames: true }]],
      // A literal Prometheus refuses: its matcher is left out, the first such literal recorded.
      [
        'x{a="\\q", b="\\w", c="ok"}',
        [
          {
            text: 'x{a="\\q", b="\\w", c="ok"}',
            metric: "x",
            matchers: ["__name__=x", "c=ok"],
            quotedNames: false,
            undecodable: '"\\q"',
          },
        ],
      ],
      [
        '{"a\\q"}',
        [{ text: '{"a\\q"}', metric: undefined, matchers: [], quotedNames: true, undecodable: '"a\\q"' }],
      ],
      [
        '{"m", "l\\q"="v"}',
        [
          {
            text: '{"m", "l\\q"="v"}',
            metric: "m",
            matchers: ["__name__=m"],
            quotedNames: true,
            undecodable: '"l\\q"',
          },
        ],
      ],
      // An unreadable quoted name leaves the identifier the metric.
      [
        'x{"a\\q"}',
        [
          {
            text: 'x{"a\\q"}',
            metric: "x",
            matchers: ["__name__=x"],
            quotedNames: true,
            undecodable: '"a\\q"',
          },
        ],
      ],
      // Not PromQL (a matcher without a value): read without it, never a crash.
      ["x{a=}", [{ text: "x{a=}", metric: "x", matchers: ["__name__=x"], quotedNames: false }]],
      [
        "rate(x[5m]) / y",
        [
          { text: "x", metric: "x", matchers: ["__name__=x"], quotedNames: false },
          { text: "y", metric: "y", matchers: ["__name__=y"], quotedNames: false },
        ],
      ],
    ];
    assert.deepEqual(
      rows.map(([expr]) => [expr, selectorsOf(expr).map((s) => defined(read(s)))]),
      rows.map(([expr, selectors]) => [expr, selectors.map(defined)]),
    );
  });

  it("usesQuotedNames: a quoted metric or label name anywhere, not a quoted value", () =>
    assert.deepEqual(
      ['x{"a"="b"}', '{"a"}', 'sum by ("a.b") (x)', 'x + y{a="b"}', '"a"', "x"].map(usesQuotedNames),
      [true, true, true, false, false, false],
    ));

  it("parsePromql: one tree per expression, parsed once and kept", () => {
    const expr = `up{spec="promqlSyntaxUnit-${process.pid}"}`;
    const before = parseCacheSize();
    const tree = parsePromql(expr);
    assert.equal(parseCacheSize(), before + 1);
    assert.equal(parsePromql(expr), tree);
    assert.equal(parseCacheSize(), before + 1);
    assert.notEqual(parsePromql(`${expr} + 1`), tree);
  });
});
