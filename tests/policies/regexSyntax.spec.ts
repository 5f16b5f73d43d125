import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { matches, routeFor } from "../../policies/alerting";
import { fullMatch, regexError } from "../../policies/regex";
import {
  alertmanagerConfigRegexProblems,
  regexSyntax,
  relabelRegexProblems,
} from "../../policies/regexSyntax";
import { resourceOf, violationsOf } from "../helpers/policies";

const AMC = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

describe("regexes as Prometheus and Alertmanager read them (RE2, fully anchored)", () => {
  it("matches RE2 syntax JavaScript refuses or reads otherwise", () => {
    assert.equal(fullMatch("(?i)critical", "CRITICAL"), true);
    assert.equal(fullMatch("[[:alpha:]]+", "abc"), true);
    assert.equal(fullMatch("[[:alpha:]]+", "ab1"), false);
    assert.equal(fullMatch("(?P<team>a)b", "ab"), true);
  });

  it("anchors both ends, in the literal fast path and in the engine", () => {
    assert.deepEqual(
      ["ns-a", "ns-b", "ns-ab", "x-ns-a", ""].map((v) => fullMatch("ns-a|ns-b", v)),
      [true, true, false, false, false],
    );
    assert.deepEqual(
      ["ns-a", "ns-ab", ""].map((v) => fullMatch("ns-a|", v)),
      [true, false, true],
    );
    assert.deepEqual(
      ["ab", "xab", "abx"].map((v) => fullMatch("a.", v)),
      [true, false, false],
    );
    // Regex syntax anywhere, even after a literal alternative, is the engine's to read.
    assert.deepEqual(
      ["ns-a", "ns-b", "ns-.*", "ab", "a|b"].map((v) => fullMatch("ns-a|ns-.*", v)),
      [true, true, true, false, false],
    );
    assert.deepEqual(
      ["a", "b", ".+", ""].map((v) => fullMatch("a|.+", v)),
      [true, true, true, false],
    );
    assert.deepEqual(
      ["a", "b", "ab", "", "a|b"].map((v) => fullMatch("a||b", v)),
      [true, true, false, true, false],
    );
  });

  it("gives Go's parse error for what Alertmanager and Prometheus refuse, and undefined matches", () => {
    assert.equal(regexError("(a"), "error parsing regexp: missing closing ): `(a`");
    assert.equal(regexError("a{1001}"), "error parsing regexp: invalid repeat count: `{1001}`");
    assert.equal(regexError("ns-a|ns-b"), undefined);
    assert.equal(fullMatch("(a", "(a"), undefined);
  });

  it("judges the pattern as the servers compile it, wrapped in ^(?: and )$", () => {
    // Accepted by Prometheus and Alertmanager: the wrapper closes the group the pattern opens.
    assert.equal(regexError("a)|(?:b"), undefined);
    assert.deepEqual(
      ["a", "axx", "xxb", "c"].map((v) => fullMatch("a)|(?:b", v)),
      [true, true, true, false],
    );
    // Refused by them: the wrapper's group is one level too many.
    const deep = `${"(".repeat(999)}a${")".repeat(999)}`;
    assert.equal(regexError(deep), "error parsing regexp: expression nests too deeply");
  });

  it("answers a catastrophic backtracking pattern (linear-time engine)", () => {
    assert.equal(fullMatch("(a+)+$", `${"a".repeat(5000)}!`), false);
  });
});

describe("the routing walk with RE2 matchers", () => {
  it("routes on a case-insensitive matcher as Alertmanager does", () => {
    const root = {
      receiver: "default",
      routes: [
        { receiver: "pager", matchers: [{ name: "severity", value: "(?i)critical", matchType: "=~" }] },
      ],
    };
    assert.equal(routeFor(root, { severity: "Critical" }).receiver, "pager");
    assert.equal(routeFor(root, { severity: "warning" }).receiver, "default");
  });

  it("lets an invalid regex match nothing, either way, instead of throwing", () => {
    const bad = (matchType: string) => ({ name: "severity", value: "(crit", matchType });
    assert.equal(matches(bad("=~"), { severity: "(crit" }), false);
    assert.equal(matches(bad("!~"), { severity: "warning" }), false);
  });

  it("reads only an alert's own labels: constructor, __proto__ and toString are absent, as in Alertmanager", () => {
    const labels = { severity: "critical" };
    assert.equal(matches({ name: "constructor", value: ".+", matchType: "=~" }, labels), false);
    assert.equal(matches({ name: "__proto__", value: "x.*", matchType: "!~" }, labels), true);
    assert.equal(matches({ name: "toString", value: "", matchType: "!=" }, labels), false);
    assert.equal(
      matches({ name: "severity", value: 5 as unknown as string, matchType: "=~" }, { severity: "5" }),
      true,
    );
  });
});

describe("policy regex-syntax", () => {
  it("names every invalid matcher of an AlertmanagerConfig's routes and inhibit rules", () => {
    assert.deepEqual(
      alertmanagerConfigRegexProblems({
        route: {
          receiver: "team",
          matchers: [{ name: "namespace", value: "shop|cart", matchType: "=~" }],
          routes: [
            { matchers: [{ name: "severity", value: "(?i)critical", matchType: "=~" }] },
            { matchers: [{ name: "alertname", value: "Disk(", matchType: "!~" }] },
            { matchers: [{ name: "team", value: "a", matchType: "==" }] },
          ],
        },
        inhibitRules: [
          {
            sourceMatch: [{ name: "severity", value: "critical" }],
            targetMatch: [{ name: "severity", value: "[warning", regex: true }],
          },
        ],
      }),
      [
        'route.routes[1]: matcher alertname!~"Disk(": error parsing regexp: missing closing ): `Disk(`',
        'route.routes[2]: matcher team has matchType "=="; expected one of =, !=, =~, !~',
        // Go quotes what it could not parse of `^(?:[warning)$`, as Alertmanager would say it.
        'inhibitRules[0].targetMatch: matcher severity=~"[warning": error parsing regexp: missing closing ]: `[warning)$`',
      ],
    );
  });

  it("reads both sides of an inhibit rule, the legacy regex flag, and skips what is not a matcher", () => {
    assert.deepEqual(
      alertmanagerConfigRegexProblems({
        route: { routes: [null, "x", { matchers: [null, { name: "a", value: "(", regex: false }] }] },
        inhibitRules: [{ sourceMatch: [{ name: "s", value: "(", matchType: "=~" }] }, null],
      }),
      ['inhibitRules[0].sourceMatch: matcher s=~"(": error parsing regexp: missing closing ): `(`'],
    );
    assert.deepEqual(alertmanagerConfigRegexProblems({ route: null, inhibitRules: "x" }), []);
    assert.deepEqual(alertmanagerConfigRegexProblems({ route: "x" }), []);
  });

  it("names every invalid relabeling regex of a monitor, wherever the list sits", () => {
    assert.deepEqual(
      relabelRegexProblems({
        endpoints: [
          {
            port: "metrics",
            relabelings: [{ sourceLabels: ["__meta_x"], regex: "(.*)" }, { regex: "a**" }],
            metricRelabelings: [
              { action: "drop", regex: "go_.*" },
              { action: "drop", regex: "[" },
            ],
          },
        ],
        targets: { staticConfig: { relabelingConfigs: [{ regex: "(?<x" }] } },
      }),
      [
        'endpoints[0].relabelings[1].regex "a**": error parsing regexp: invalid nested repetition operator: `**`',
        'endpoints[0].metricRelabelings[1].regex "[": error parsing regexp: missing closing ]: `[)$`',
        'targets.staticConfig.relabelingConfigs[0].regex "(?<x": error parsing regexp: invalid named capture: `(?<x)$`',
      ],
    );
  });

  it("escapes control characters of a resource's names, keys and patterns in its messages", () => {
    assert.deepEqual(
      alertmanagerConfigRegexProblems({
        route: { matchers: [{ name: "x\n::error::y", value: "(\u001b[31m", matchType: "=~" }] },
        inhibitRules: [{ targetMatch: [{ name: "a", value: "(?P<\u001b]8;;x\u0007>a)(", matchType: "=~" }] }],
      }),
      [
        'route: matcher x\\u000a::error::y=~"(\\u001b[31m": error parsing regexp: missing closing ]: `[31m)$`',
        // Go's error quotes the raw pattern: its OSC 8 link is escaped too.
        'inhibitRules[0].targetMatch: matcher a=~"(?P<\\u001b]8;;x\\u0007>a)(": error parsing regexp: invalid named capture: `(?P<\\u001b]8;;x\\u0007>`',
      ],
    );
  });

  it("refuses, as mandatory, an AlertmanagerConfig or ServiceMonitor the operator would skip", () => {
    const amc = resourceOf(AMC, "shop", {
      spec: { route: { matchers: [{ name: "severity", value: "crit(", matchType: "=~" }] } },
    });
    const monitor = resourceOf(SERVICE_MONITOR, "shop", {
      spec: { endpoints: [{ relabelings: [{ regex: "(" }] }] },
    });
    const podMonitor = resourceOf("kubernetes:monitoring.coreos.com/v1:PodMonitor", "pods", {
      spec: { podMetricsEndpoints: [{ relabelings: [{ regex: "(" }] }] },
    });
    const probe = resourceOf("kubernetes:monitoring.coreos.com/v1:Probe", "probe", {
      spec: { metricRelabelings: [{ regex: "(" }] },
    });
    const other = resourceOf("kubernetes:core/v1:ConfigMap", "cm", {
      spec: { relabelings: [{ regex: "(" }] },
    });
    const fine = resourceOf(AMC, "ok", {
      spec: { route: { matchers: [{ name: "severity", value: "(?i)critical", matchType: "=~" }] } },
    });
    assert.deepEqual(
      violationsOf(regexSyntax, [amc, monitor, podMonitor, probe, other, fine]).map((v) => [
        v.policy,
        v.enforcementLevel,
        v.message,
      ]),
      [
        [
          "regex-syntax",
          "mandatory",
          'AlertmanagerConfig shop: route: matcher severity=~"crit(": error parsing regexp: missing closing ): `crit(`',
        ],
        [
          "regex-syntax",
          "mandatory",
          'ServiceMonitor shop: endpoints[0].relabelings[0].regex "(": error parsing regexp: missing closing ): `(`',
        ],
        [
          "regex-syntax",
          "mandatory",
          'PodMonitor pods: podMetricsEndpoints[0].relabelings[0].regex "(": error parsing regexp: missing closing ): `(`',
        ],
        [
          "regex-syntax",
          "mandatory",
          'Probe probe: metricRelabelings[0].regex "(": error parsing regexp: missing closing ): `(`',
        ],
      ],
    );
  });
});

describe("apps[].podNameRegex in the stack config", () => {
  const withRegex = (podNameRegex: string) => ({
    environment: "prod",
    clusterName: "prod-1",
    apps: [{ name: "a", namespace: "a", podNameRegex }],
  });

  it("accepts RE2 that JavaScript would refuse", () => {
    assert.equal(parseStackConfig("prod", withRegex("(?i)a-.*")).apps[0].podNameRegex, "(?i)a-.*");
  });

  it("refuses what Prometheus would refuse, with RE2's reason", () => {
    assert.throws(
      () => parseStackConfig("prod", withRegex("a-(")),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.join("\n") ===
          'prod: apps[a].podNameRegex: "a-(" is not a regex Prometheus accepts (RE2): error parsing regexp: missing closing ): `a-(`',
    );
  });
});
