/**
 * Policies monitor-targets-resolve and monitor-targets-verifiable on hand-made resources, case by case:
 * label selectors, namespace selectors, declared and external targets, the Prometheus selectors and the
 * interval floor on everything that has an interval. No plan; mutation testing runs it for
 * policies/monitors.ts (tests/policies/pack.spec.ts plans the declared-target case).
 */
import { strict as assert } from "node:assert";
import { monitorTargetsResolve, monitorTargetsVerifiable, selects } from "../../policies/monitors";
import type { PolicyInput } from "../../policies/harness";
import type { Json } from "../../policies/util";
import { assertNoViolations, resourceOf, violationsOf } from "../helpers/policies";

const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const PM = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const service = (namespace: string | undefined, labels: Record<string, string>, ports = ["metrics"]) =>
  resourceOf("kubernetes:core/v1:Service", "svc", {
    metadata: { name: "svc", ...(namespace ? { namespace } : {}), labels },
    spec: { ports: [...ports.map((name) => ({ name, port: 80 })), { port: 81 }] },
  });
const deployment = (namespace: string, labels: Record<string, string>, ports: string[]) =>
  resourceOf("kubernetes:apps/v1:Deployment", "deploy", {
    metadata: { namespace },
    spec: {
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: "app", ports: ports.map((name) => ({ name, containerPort: 9000 })) }],
          initContainers: [{ name: "init", ports: [{ containerPort: 1 }] }],
        },
      },
    },
  });
const kps = (spec: Json, name: string | null = "kps") =>
  resourceOf("kubernetes:helm.sh/v3:Release", "kps-release", {
    chart: "kube-prometheus-stack",
    ...(name ? { name } : {}),
    values: { prometheus: { prometheusSpec: spec } },
  });
const anyLabels = kps({
  serviceMonitorSelectorNilUsesHelmValues: false,
  podMonitorSelectorNilUsesHelmValues: false,
});
const monitor = (
  kind: "ServiceMonitor" | "PodMonitor",
  spec: Json,
  metadata: Json = {},
  endpoints: Json[] = [{ port: "metrics", interval: "30s" }],
) =>
  resourceOf(kind === "ServiceMonitor" ? SM : PM, "mon", {
    kind,
    metadata: { name: "api", namespace: "shop", ...metadata },
    spec: { [kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints"]: endpoints, ...spec },
  });
const sm = (spec: Json, metadata: Json = {}, endpoints?: Json[]) =>
  monitor("ServiceMonitor", spec, metadata, endpoints);
const byApp = (app: string) => ({ selector: { matchLabels: { app } } });
const messages = (policy = monitorTargetsResolve, resources: PolicyInput[], config = {}) =>
  violationsOf(policy, resources, config).map((v) => v.message);

describe("policy monitor-targets-resolve (unit)", () => {
  describe("selects", () => {
    const exp = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: "tier", operator, ...(values ? { values } : {}) }],
    });
    const cases: [string, Json | undefined, Record<string, string>, boolean][] = [
      ["no selector", undefined, { app: "shop" }, false],
      ["an empty selector", {}, { app: "shop" }, true],
      ["empty matchLabels and expressions", { matchLabels: {}, matchExpressions: [] }, {}, true],
      ["matchLabels, a subset", { matchLabels: { app: "shop" } }, { app: "shop", tier: "web" }, true],
      ["matchLabels, another value", { matchLabels: { app: "shop" } }, { app: "cart" }, false],
      ["matchLabels, no such label", { matchLabels: { app: "shop" } }, {}, false],
      ["In, one of the values", exp("In", ["web", "api"]), { tier: "api" }, true],
      ["In, none of the values", exp("In", ["web", "api"]), { tier: "db" }, false],
      ["In, no such label", exp("In", ["web"]), {}, false],
      ["In without values", exp("In"), { tier: "web" }, false],
      ["NotIn, another value", exp("NotIn", ["web"]), { tier: "db" }, true],
      ["NotIn, one of the values", exp("NotIn", ["web"]), { tier: "web" }, false],
      ["NotIn, no such label", exp("NotIn", ["web"]), {}, true],
      ["NotIn without values", exp("NotIn"), { tier: "web" }, true],
      ["Exists, an empty value", exp("Exists"), { tier: "" }, true],
      ["Exists, no such label", exp("Exists"), { app: "shop" }, false],
      ["DoesNotExist, no such label", exp("DoesNotExist"), { app: "shop" }, true],
      ["DoesNotExist, the label", exp("DoesNotExist"), { tier: "" }, false],
      ["an unknown operator", exp("Gt", ["1"]), { tier: "2" }, false],
      [
        "matchLabels and an expression, both hold",
        { matchLabels: { app: "shop" }, ...exp("Exists") },
        { app: "shop", tier: "web" },
        true,
      ],
      [
        "matchLabels and an expression, the expression fails",
        { matchLabels: { app: "shop" }, ...exp("Exists") },
        { app: "shop" },
        false,
      ],
      [
        "matchLabels and an expression, the labels fail",
        { matchLabels: { app: "shop" }, ...exp("Exists") },
        { app: "cart", tier: "web" },
        false,
      ],
      [
        "two expressions, the second fails",
        { matchExpressions: [...exp("Exists").matchExpressions, ...exp("In", ["web"]).matchExpressions] },
        { tier: "db" },
        false,
      ],
    ];
    for (const [name, selector, labels, expected] of cases)
      it(`${name}: ${expected ? "selects" : "does not select"}`, () =>
        assert.equal(selects(selector, labels), expected));
  });

  describe("targets", () => {
    it("looks in the monitor's own namespace unless told, and in the default namespace without one", () => {
      assertNoViolations(monitorTargetsResolve, [
        anyLabels,
        service("shop", { app: "shop" }),
        sm(byApp("shop")),
      ]);
      assertNoViolations(monitorTargetsResolve, [
        anyLabels,
        service(undefined, { app: "shop" }),
        sm(byApp("shop"), { namespace: undefined }),
      ]);
      const svc = service("shop", { app: "shop" });
      const wrong = sm(byApp("cart"));
      const found = violationsOf(monitorTargetsResolve, [
        anyLabels,
        svc,
        wrong,
        service("cart", { app: "cart" }),
      ]);
      assert.deepEqual(
        found.map((v) => [v.message, v.urn]),
        [
          [
            'ServiceMonitor shop/api: its selector {"app":"cart"} matches no Service this stack creates in shop; Prometheus would find no targets.',
            wrong.urn,
          ],
        ],
      );
    });

    it("names the monitor by its resource name without metadata.name", () => {
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          anyLabels,
          service("shop", {}),
          sm(byApp("x"), { name: undefined }),
        ]),
        [
          'ServiceMonitor shop/mon: its selector {"app":"x"} matches no Service this stack creates in shop; Prometheus would find no targets.',
        ],
      );
    });

    it("looks in every namespace of matchNames, or in any", () => {
      const stack = [anyLabels, service("shop", { app: "shop" }), service("data", { app: "db" }, ["sql"])];
      const namespaces = (namespaceSelector: Json, app: string, port = "metrics") =>
        messages(monitorTargetsResolve, [
          ...stack,
          sm({ ...byApp(app), namespaceSelector }, { namespace: "monitoring" }, [{ port }]),
        ]);
      assert.deepEqual(namespaces({ matchNames: ["data", "shop"] }, "shop"), []);
      assert.deepEqual(namespaces({ any: true }, "db", "sql"), []);
      assert.deepEqual(namespaces({ matchNames: ["data", "shop"] }, "cart"), [
        'ServiceMonitor monitoring/api: its selector {"app":"cart"} matches no Service this stack creates in data, shop; Prometheus would find no targets.',
      ]);
      assert.deepEqual(namespaces({ any: true }, "cart"), [
        'ServiceMonitor monitoring/api: its selector {"app":"cart"} matches no Service this stack creates in any namespace; Prometheus would find no targets.',
      ]);
      // any: false is no any: the monitor's own namespace, where the stack creates nothing.
      assert.deepEqual(namespaces({ any: false }, "shop"), []);
      assert.deepEqual(
        messages(monitorTargetsVerifiable, [
          ...stack,
          sm({ ...byApp("shop"), namespaceSelector: { any: false } }, { namespace: "monitoring" }),
        ]),
        [
          'ServiceMonitor monitoring/api: cannot verify its targets: this stack creates no Service in monitoring; check that something deployed elsewhere carries {"app":"shop"}.',
        ],
      );
    });

    it("matches a ServiceMonitor against Services only, and a PodMonitor against pod templates only", () => {
      const pods = deployment("shop", { app: "worker" }, ["jmx"]);
      const svc = service("shop", { app: "shop" });
      const pm = (app: string, port: string) =>
        monitor("PodMonitor", byApp(app), {}, [{ port, interval: "30s" }]);
      assertNoViolations(monitorTargetsResolve, [anyLabels, pods, svc, pm("worker", "jmx")]);
      assert.deepEqual(messages(monitorTargetsResolve, [anyLabels, pods, svc, pm("shop", "metrics")]), [
        'PodMonitor shop/api: its selector {"app":"shop"} matches no pod template this stack creates in shop; Prometheus would find no targets.',
      ]);
      assert.deepEqual(
        messages(monitorTargetsResolve, [anyLabels, pods, svc, sm(byApp("worker"), {}, [{ port: "jmx" }])]),
        [
          'ServiceMonitor shop/api: its selector {"app":"worker"} matches no Service this stack creates in shop; Prometheus would find no targets.',
        ],
      );
      assert.deepEqual(messages(monitorTargetsResolve, [anyLabels, pods, pm("worker", "http")]), [
        'PodMonitor shop/api: port "http" is not a named port of the pod template it selects.',
      ]);
    });

    it("finds a port on any of the Services it selects, and checks no port when it selects none", () => {
      const stack = [
        anyLabels,
        service("shop", { app: "shop" }, ["http"]),
        service("shop", { app: "shop" }, ["metrics"]),
      ];
      assertNoViolations(monitorTargetsResolve, [
        ...stack,
        sm(byApp("shop"), {}, [{ port: "metrics" }, { port: "http" }, {}]),
      ]);
      assert.deepEqual(
        messages(monitorTargetsResolve, [...stack, sm(byApp("shop"), {}, [{ port: "grpc" }])]),
        ['ServiceMonitor shop/api: port "grpc" is not a named port of the Service it selects.'],
      );
      assert.deepEqual(
        messages(monitorTargetsResolve, [...stack, sm(byApp("cart"), {}, [{ port: "grpc" }])]),
        [
          'ServiceMonitor shop/api: its selector {"app":"cart"} matches no Service this stack creates in shop; Prometheus would find no targets.',
        ],
      );
    });

    it("shows a selector with expressions whole, and one without any as {}", () => {
      const selector = {
        matchLabels: { app: "cart" },
        matchExpressions: [{ key: "tier", operator: "Exists" }],
      };
      assert.deepEqual(
        messages(monitorTargetsResolve, [anyLabels, service("shop", { app: "shop" }), sm({ selector })]),
        [
          `ServiceMonitor shop/api: its selector ${JSON.stringify(selector)} matches no Service this stack creates in shop; Prometheus would find no targets.`,
        ],
      );
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          anyLabels,
          service("shop", { app: "shop" }),
          sm({ selector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }),
        ]),
        [
          'ServiceMonitor shop/api: its selector {"matchExpressions":[{"key":"tier","operator":"Exists"}]} matches no Service this stack creates in shop; Prometheus would find no targets.',
        ],
      );
      assert.deepEqual(messages(monitorTargetsVerifiable, [anyLabels, sm({ selector: undefined })]), [
        "ServiceMonitor shop/api: cannot verify its targets: this stack creates no Service in shop; check that something deployed elsewhere carries {}.",
      ]);
    });

    it("says a monitor without targets in the stack cannot be verified, advisory, and does not block on it", () => {
      const elsewhere = sm(byApp("billing"), { namespace: "billing" });
      const found = violationsOf(monitorTargetsVerifiable, [
        anyLabels,
        service("shop", { app: "shop" }),
        elsewhere,
      ]);
      assert.deepEqual(
        found.map((v) => [v.message, v.urn, v.enforcementLevel]),
        [
          [
            'ServiceMonitor billing/api: cannot verify its targets: this stack creates no Service in billing; check that something deployed elsewhere carries {"app":"billing"}.',
            elsewhere.urn,
            "advisory",
          ],
        ],
      );
      assertNoViolations(monitorTargetsResolve, [anyLabels, elsewhere]);
      // A monitor that resolves is not unverifiable.
      assertNoViolations(monitorTargetsVerifiable, [
        anyLabels,
        service("shop", { app: "shop" }),
        sm(byApp("shop")),
      ]);
    });

    it("takes a monitor marked as scraping targets outside the stack at its word, only when the mark is true", () => {
      const marked = (value: string) =>
        sm(byApp("control-plane"), { annotations: { "kube-monitoring.io/targets-outside-stack": value } });
      const stack = [anyLabels, service("shop", { app: "shop" })];
      assertNoViolations(monitorTargetsResolve, [...stack, marked("true")]);
      assertNoViolations(monitorTargetsVerifiable, [...stack, marked("true")]);
      assert.deepEqual(messages(monitorTargetsResolve, [...stack, marked("yes")]), [
        'ServiceMonitor shop/api: its selector {"app":"control-plane"} matches no Service this stack creates in shop; Prometheus would find no targets.',
      ]);
    });

    it("checks a monitor with a declared target against that target alone", () => {
      const declared = (target: Json, app = "billing", port = "metrics") =>
        sm(
          byApp(app),
          {
            namespace: "billing",
            annotations: { "kube-monitoring.io/declared-target": JSON.stringify(target) },
          },
          [{ port }],
        );
      const stack = [anyLabels, service("billing", { app: "other" })];
      assertNoViolations(monitorTargetsResolve, [
        ...stack,
        declared({ labels: { app: "billing" }, ports: ["metrics"] }),
      ]);
      assertNoViolations(monitorTargetsVerifiable, [
        ...stack,
        declared({ labels: { app: "billing" }, ports: ["metrics"] }),
      ]);
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          ...stack,
          declared({ labels: { app: "billing" }, ports: ["http"] }),
        ]),
        ['ServiceMonitor billing/api: port "metrics" is not a named port of the Service it selects.'],
      );
      assert.deepEqual(messages(monitorTargetsResolve, [anyLabels, declared({ labels: { app: "shop" } })]), [
        'ServiceMonitor billing/api: its selector {"app":"billing"} does not match the labels its declared target carries ({"app":"shop"}); Prometheus would find no targets.',
      ]);
      assert.deepEqual(messages(monitorTargetsResolve, [anyLabels, declared({ ports: ["metrics"] })]), [
        'ServiceMonitor billing/api: its selector {"app":"billing"} does not match the labels its declared target carries ({}); Prometheus would find no targets.',
      ]);
      // An empty selector matches the declared target, whose ports then count: none declared, none there.
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          anyLabels,
          sm({ selector: {} }, { annotations: { "kube-monitoring.io/declared-target": "{}" } }),
        ]),
        ['ServiceMonitor shop/api: port "metrics" is not a named port of the Service it selects.'],
      );
    });
  });

  describe("odd resources", () => {
    it("reads monitors, Probes and Secrets without metadata or spec, in the default namespace", () => {
      const bare = (type: string, kind: string, props: Json = {}) =>
        resourceOf(type, "bare", { kind, ...props });
      assert.deepEqual(
        messages(monitorTargetsVerifiable, [
          anyLabels,
          bare(SM, "ServiceMonitor", { spec: { selector: { matchLabels: { app: "x" } } } }),
          bare(PM, "PodMonitor"),
          bare(SM, "ServiceMonitor"),
          bare("kubernetes:monitoring.coreos.com/v1:Probe", "Probe"),
          bare("kubernetes:core/v1:Secret", "Secret"),
        ]),
        [
          'ServiceMonitor default/bare: cannot verify its targets: this stack creates no Service in default; check that something deployed elsewhere carries {"app":"x"}.',
          "PodMonitor default/bare: cannot verify its targets: this stack creates no pod template in default; check that something deployed elsewhere carries {}.",
          "ServiceMonitor default/bare: cannot verify its targets: this stack creates no Service in default; check that something deployed elsewhere carries {}.",
        ],
      );
    });

    it("takes pod templates from workloads only, and the chart's values from its Helm release only", () => {
      const secret = resourceOf("kubernetes:core/v1:Secret", "s", {
        kind: "Secret",
        metadata: { namespace: "shop" },
      });
      assert.deepEqual(
        messages(monitorTargetsVerifiable, [anyLabels, secret, monitor("PodMonitor", { selector: {} })]),
        [
          "PodMonitor shop/api: cannot verify its targets: this stack creates no pod template in shop; check that something deployed elsewhere carries {}.",
        ],
      );
      // A ConfigMap that names the chart, listed first, is not the release.
      const impostor = resourceOf("kubernetes:core/v1:ConfigMap", "kps-values", {
        chart: "kube-prometheus-stack",
        name: "kps",
        values: { prometheus: { prometheusSpec: { scrapeInterval: "1s" } } },
      });
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          impostor,
          anyLabels,
          service("shop", { app: "shop" }),
          sm(byApp("shop")),
        ]),
        [],
      );
    });

    it("holds rule groups of PrometheusRules and federation intervals of its own Secret only", () => {
      const other = resourceOf("kubernetes:monitoring.coreos.com/v1:ThanosRuler", "tr", {
        kind: "ThanosRuler",
        metadata: { name: "tr", namespace: "monitoring" },
        spec: { groups: [{ name: "fast", interval: "5s" }], interval: "5s" },
      });
      const configMap = resourceOf("kubernetes:core/v1:ConfigMap", "prometheus-federation", {
        kind: "ConfigMap",
        metadata: {
          name: "prometheus-federation",
          namespace: "monitoring",
          annotations: { "kube-monitoring.io/scrape-intervals": "1s" },
        },
      });
      assert.deepEqual(messages(monitorTargetsResolve, [anyLabels, other, configMap]), []);
    });

    it("are mandatory (resolve) and advisory (verifiable) unless the policy config says otherwise under their names", () => {
      const stack = [kps({}), sm(byApp("x"), { namespace: "elsewhere" })];
      assert.deepEqual(
        violationsOf(monitorTargetsResolve, stack).map((v) => v.enforcementLevel),
        ["mandatory"],
      );
      assert.deepEqual(
        violationsOf(monitorTargetsResolve, stack, { "monitor-targets-resolve": "advisory" }).map(
          (v) => v.enforcementLevel,
        ),
        ["advisory"],
      );
      assert.deepEqual(violationsOf(monitorTargetsVerifiable, stack).length, 1);
      assert.deepEqual(
        violationsOf(monitorTargetsVerifiable, stack, { "monitor-targets-verifiable": "disabled" }),
        [],
      );
    });
  });

  describe("the Prometheus selectors", () => {
    const stack = [service("shop", { app: "shop" }), deployment("shop", { app: "worker" }, ["jmx"])];
    const pm = (labels: Record<string, string>) =>
      monitor("PodMonitor", byApp("worker"), { labels }, [{ port: "jmx", interval: "30s" }]);

    it("needs release=<release name> by default, the resource's name without one, and nothing without the chart", () => {
      assert.deepEqual(messages(monitorTargetsResolve, [kps({}), ...stack, sm(byApp("shop")), pm({})]), [
        'ServiceMonitor shop/api: lacks the labels {"release":"kps"} Prometheus selects monitors by; it would be ignored.',
        'PodMonitor shop/api: lacks the labels {"release":"kps"} Prometheus selects monitors by; it would be ignored.',
      ]);
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          kps({}, null),
          ...stack,
          sm(byApp("shop"), { labels: { release: "kps" } }),
        ]),
        [
          'ServiceMonitor shop/api: lacks the labels {"release":"kps-release"} Prometheus selects monitors by; it would be ignored.',
        ],
      );
      assertNoViolations(monitorTargetsResolve, [...stack, sm(byApp("shop")), pm({})]);
      // Another chart's release is not the one Prometheus reads its selectors from.
      assertNoViolations(monitorTargetsResolve, [
        resourceOf("kubernetes:helm.sh/v3:Release", "other", { chart: "loki", name: "loki", values: {} }),
        ...stack,
        sm(byApp("shop")),
      ]);
    });

    it("needs each kind's matchLabels when set, and nothing when a NilUsesHelmValues is false", () => {
      const selectors = kps({
        serviceMonitorSelector: { matchLabels: { team: "shop" } },
        podMonitorSelector: { matchLabels: { team: "workers" } },
      });
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          selectors,
          ...stack,
          sm(byApp("shop"), { labels: { team: "workers" } }),
          pm({ team: "shop" }),
        ]),
        [
          'ServiceMonitor shop/api: lacks the labels {"team":"shop"} Prometheus selects monitors by; it would be ignored.',
          'PodMonitor shop/api: lacks the labels {"team":"workers"} Prometheus selects monitors by; it would be ignored.',
        ],
      );
      assertNoViolations(monitorTargetsResolve, [
        selectors,
        ...stack,
        sm(byApp("shop"), { labels: { team: "shop" } }),
        pm({ team: "workers" }),
      ]);
      const podsOpen = kps({ podMonitorSelectorNilUsesHelmValues: false });
      assert.deepEqual(messages(monitorTargetsResolve, [podsOpen, ...stack, sm(byApp("shop")), pm({})]), [
        'ServiceMonitor shop/api: lacks the labels {"release":"kps"} Prometheus selects monitors by; it would be ignored.',
      ]);
      const servicesOpen = kps({ serviceMonitorSelectorNilUsesHelmValues: false });
      assert.deepEqual(messages(monitorTargetsResolve, [servicesOpen, ...stack, sm(byApp("shop")), pm({})]), [
        'PodMonitor shop/api: lacks the labels {"release":"kps"} Prometheus selects monitors by; it would be ignored.',
      ]);
    });
  });

  describe("the interval floor", () => {
    const stack = [anyLabels, service("shop", { app: "shop" })];

    it("holds each endpoint to it, and its timeout to its interval (30s when unset)", () => {
      const endpoints = [
        { port: "metrics", interval: "15s" },
        { port: "metrics", interval: "14s" },
        { port: "metrics", scrapeTimeout: "30s" },
        { port: "metrics", scrapeTimeout: "31s" },
        { port: "metrics", interval: "1m", scrapeTimeout: "1m" },
        { port: "metrics", interval: "15s", scrapeTimeout: "16s" },
      ];
      assert.deepEqual(messages(monitorTargetsResolve, [...stack, sm(byApp("shop"), {}, endpoints)]), [
        "ServiceMonitor shop/api: interval 14s is below the 15s floor.",
        "ServiceMonitor shop/api: scrapeTimeout 31s is longer than interval 30s.",
        "ServiceMonitor shop/api: scrapeTimeout 16s is longer than interval 15s.",
      ]);
    });

    it("takes the floor from the policy config", () => {
      const config = { "monitor-targets-resolve": { minInterval: "1m" } };
      assert.deepEqual(
        messages(
          monitorTargetsResolve,
          [
            ...stack,
            sm(byApp("shop"), {}, [
              { port: "metrics", interval: "59s" },
              { port: "metrics", interval: "1m" },
            ]),
          ],
          config,
        ),
        ["ServiceMonitor shop/api: interval 59s is below the 1m floor."],
      );
    });

    it("holds Prometheus' own intervals, Probes, rule groups and federation to it", () => {
      const probe = (interval?: string) =>
        resourceOf("kubernetes:monitoring.coreos.com/v1:Probe", "probe", {
          kind: "Probe",
          metadata: { name: "site", namespace: "shop" },
          spec: interval ? { interval } : {},
        });
      const rules = resourceOf("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "rules", {
        kind: "PrometheusRule",
        metadata: { name: "rules", namespace: "shop" },
        spec: {
          groups: [
            { name: "fast", interval: "5s" },
            { name: "default" },
            { name: "slow", interval: "1m" },
            { name: "typo", interval: "1 m" },
          ],
        },
      });
      const federation = (name: string, intervals?: string) =>
        resourceOf("kubernetes:core/v1:Secret", name, {
          kind: "Secret",
          metadata: {
            name,
            namespace: "monitoring",
            ...(intervals ? { annotations: { "kube-monitoring.io/scrape-intervals": intervals } } : {}),
          },
        });
      const release = kps({
        scrapeInterval: "10s",
        evaluationInterval: "15s",
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
      });
      const [fast, federated] = [probe("5s"), federation("prometheus-federation", "30s,10s")];
      const found = violationsOf(monitorTargetsResolve, [
        release,
        fast,
        probe("15s"),
        probe(),
        rules,
        federated,
        federation("prometheus-federation"),
        federation("other-secret", "1s"),
      ]);
      assert.deepEqual(
        found.map((v) => v.message),
        [
          "Helm release kps-release: prometheus.prometheusSpec.scrapeInterval 10s is below the 15s floor.",
          "Probe shop/site: interval 5s is below the 15s floor.",
          "PrometheusRule shop/rules: group fast interval 5s is below the 15s floor.",
          "PrometheusRule shop/rules: group typo interval 1 m is below the 15s floor.",
          "Secret monitoring/prometheus-federation: federation scrape_interval 10s is below the 15s floor.",
        ],
      );
      assert.deepEqual(
        found.map((v) => v.urn),
        [release.urn, fast.urn, rules.urn, rules.urn, federated.urn],
      );
      assert.deepEqual(
        messages(monitorTargetsResolve, [
          kps({
            evaluationInterval: "1s",
            scrapeInterval: 5,
            serviceMonitorSelectorNilUsesHelmValues: false,
          }),
        ]),
        ["Helm release kps-release: prometheus.prometheusSpec.evaluationInterval 1s is below the 15s floor."],
      );
    });
  });
});
