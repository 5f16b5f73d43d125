/**
 * Ownership as pure functions: who owns a namespace, where an app may live, which namespaces the
 * platform drops, and how Alertmanager walks a composed tree. Fast on purpose: mutation testing runs it.
 */
import { strict as assert } from "node:assert";
import {
  Ownership,
  appPlacementProblem,
  claimProblems,
  claimedNamespaceRegex,
  namespaceRouter,
  ownerOf,
  platformNamespaces,
  siblingsOf,
} from "../components/ownership";
import { alertOwnership, alertRouting, composedTree, receiversFor } from "../policies/ownership";
import { matches } from "../policies/alerting";
import { assertNoViolations, assertViolations, resourceOf } from "./helpers/policies";

const routed = { copyToPlatform: false };
const own: Ownership = {
  platformNamespaces: platformNamespaces("monitoring", ["ingress"]),
  teams: [
    { name: "payments", namespacePrefix: "payments-" },
    { name: "search", namespacePrefix: "find-" },
  ],
  apps: [
    { name: "shop", namespace: "shop", team: "retail", routing: routed },
    { name: "cart", namespace: "shop", team: "retail", routing: routed },
    { name: "quiet", namespace: "quiet" },
    { name: "copied", namespace: "copied", routing: { copyToPlatform: true } },
  ],
};

describe("ownership of namespaces", () => {
  it("lists the platform's namespaces once, sorted", () => {
    assert.deepEqual(platformNamespaces("monitoring", ["ingress", "kube-system"]), [
      "default",
      "ingress",
      "kube-node-lease",
      "kube-public",
      "kube-system",
      "monitoring",
    ]);
  });

  it("gives each namespace one owner: platform, routed app's team or app, claiming team, else platform", () => {
    assert.deepEqual(
      [
        undefined,
        "",
        "monitoring",
        "ingress",
        "shop",
        "copied",
        "quiet",
        "payments-a",
        "find-x",
        "payments",
        "other",
      ].map((ns) => ownerOf(own, ns)),
      [
        "platform",
        "platform",
        "platform",
        "platform",
        "retail",
        "app:copied",
        "platform",
        "payments",
        "search",
        "platform",
        "platform",
      ],
    );
  });

  it("routes a namespace's unowned alerts through its first routed app by name, the others only their own", () => {
    assert.equal(namespaceRouter(own.apps, "shop")?.name, "cart");
    assert.equal(namespaceRouter(own.apps, "quiet"), undefined);
    assert.deepEqual(siblingsOf(own.apps, own.apps[0]), ["cart"]);
    assert.deepEqual(siblingsOf(own.apps, own.apps[1]), ["shop"]);
    assert.deepEqual(siblingsOf(own.apps, own.apps[2]), []);
  });

  it("drops after the owners' routes exactly the routed namespaces without copies and every team prefix", () => {
    assert.equal(claimedNamespaceRegex(own), "shop|payments-.+|find-.+");
    assert.equal(claimedNamespaceRegex({ platformNamespaces: [], teams: [], apps: [] }), undefined);
    assert.equal(
      claimedNamespaceRegex({
        platformNamespaces: [],
        teams: [{ name: "a.b", namespacePrefix: "a.b-" }],
        apps: [],
      }),
      "a\\.b-.+",
    );
  });

  it("places apps only where their alerts reach their owner", () => {
    const place = (app: Parameters<typeof appPlacementProblem>[1]) => appPlacementProblem(own, app);
    assert.equal(place(own.apps[0]), undefined);
    assert.equal(place({ name: "x", namespace: "monitoring" }), undefined);
    assert.match(
      place({ name: "x", namespace: "ingress", routing: routed })!,
      /^namespace ingress is owned by the platform/,
    );
    assert.match(place({ name: "x", namespace: "payments-x" })!, /without routing would reach nobody/);
    assert.equal(place({ name: "x", namespace: "payments-x", team: "payments", routing: routed }), undefined);
    assert.equal(
      place({ name: "x", namespace: "find-x", team: "payments", routing: routed }),
      "namespace find-x is claimed by team search (prefix find-), not team payments",
    );
    assert.equal(
      place({ name: "x", namespace: "find-x", routing: routed }),
      "namespace find-x is claimed by team search (prefix find-), not this app (no team)",
    );
    assert.equal(
      place({ name: "x", namespace: "shop", team: "other", routing: routed }),
      "namespace shop is already owned by retail (app shop); one namespace has one owner",
    );
    assert.equal(place({ name: "x", namespace: "shop", team: "other" }), undefined);
  });

  it("refuses team prefixes that overlap each other or claim a platform namespace", () => {
    assert.deepEqual(claimProblems(["monitoring"], [{ name: "mon", namespacePrefix: "mon-" }]), []);
    assert.deepEqual(claimProblems(["monitoring", "mon-x"], [{ name: "mon", namespacePrefix: "mon-" }]), [
      "teams[mon].namespacePrefix: mon- would claim the platform's namespace mon-x",
    ]);
    assert.deepEqual(
      claimProblems(
        [],
        [
          { name: "a", namespacePrefix: "a-" },
          { name: "b", namespacePrefix: "b-" },
          { name: "ab", namespacePrefix: "a-b-" },
        ],
      ),
      ["teams[ab].namespacePrefix: a-b- overlaps team a's a-; one namespace has one owner"],
    );
  });
});

describe("routing as Alertmanager walks it", () => {
  const m = (name: string, value: string, matchType = "=") => ({ name, value, matchType });
  const tree = {
    receiver: "root",
    routes: [
      { receiver: "a", matchers: [m("team", "a")], continue: true },
      { receiver: "b", matchers: [m("team", "a|b", "=~")] },
      { receiver: "never", matchers: [m("team", "a")] },
      { matchers: [m("severity", "critical")], routes: [{ receiver: "deep", matchers: [m("x", "1")] }] },
    ],
  };

  it("goes on after a continue route, stops at the first other match, inherits receivers, falls back to the parent", () => {
    assert.deepEqual(receiversFor(tree, { team: "a" }), ["a", "b"]);
    assert.deepEqual(receiversFor(tree, { team: "b" }), ["b"]);
    assert.deepEqual(receiversFor(tree, { severity: "critical", x: "1" }), ["deep"]);
    assert.deepEqual(receiversFor(tree, { severity: "critical" }), ["root"]);
    assert.deepEqual(receiversFor(tree, {}), ["root"]);
    // A parent whose only matching child continued is not itself a match.
    assert.deepEqual(receiversFor({ receiver: "root", routes: [tree.routes[0]] }, { team: "a" }), ["a"]);
  });

  const amc = (namespace: string, name: string, spec: object, global = false) => ({
    type: "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
    props: {
      metadata: {
        namespace,
        name,
        ...(global ? { labels: { "kube-monitoring.io/alertmanager-global": "true" } } : {}),
      },
      spec,
    },
  });
  const rule = (namespace: string, alert: string, labels: Record<string, string>) => ({
    type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    props: {
      metadata: { namespace, name: "r" },
      spec: { groups: [{ name: "g", rules: [{ alert, labels }] }] },
    },
  });
  const platform = (routes: object[]) =>
    amc("monitoring", "platform", { route: { receiver: "ops", routes } }, true);
  const team = amc("shop", "shop", { route: { receiver: "pager" } });

  it("composes the operator's tree: namespaced configs first, with their namespace and continue, renamed", () => {
    assert.equal(composedTree([team]), undefined);
    assert.deepEqual(
      composedTree([team, platform([{ receiver: "null", matchers: [m("namespace", "shop", "=~")] }])]),
      {
        receiver: "monitoring/platform/ops",
        routes: [
          { receiver: "shop/shop/pager", routes: [], matchers: [m("namespace", "shop")], continue: true },
          { receiver: "monitoring/platform/null", matchers: [m("namespace", "shop", "=~")], routes: [] },
        ],
      },
    );
  });

  it("finds alerts that reach another owner, reach nobody, and lets copies and failing notifications through", () => {
    const drop = { receiver: "null", matchers: [m("namespace", "shop", "=~")] };
    const problems = (resources: object[]) =>
      alertRouting(resources as Parameters<typeof alertRouting>[0])!.map(
        (a) =>
          `${a.alert}@${a.namespace} ${a.receivers.join(",")}${a.swallowed ? " dropped" : ""}: ${a.problem ?? "ok"}`,
      );
    assert.deepEqual(problems([team, platform([drop]), rule("shop", "Down", { severity: "critical" })]), [
      "Down@shop shop/shop/pager dropped: ok",
      "KubePodCrashLooping@shop shop/shop/pager dropped: ok",
    ]);
    const leaky = platform([{ receiver: "ops", matchers: [m("severity", "critical")] }]);
    assert.deepEqual(problems([team, leaky, rule("shop", "Down", { severity: "critical" })]), [
      "Down@shop shop/shop/pager,monitoring/platform/ops: reaches monitoring/platform/ops, which belongs to another owner than namespace shop's",
      "KubePodCrashLooping@shop shop/shop/pager: ok",
    ]);
    const copies = {
      ...team,
      props: {
        ...team.props,
        metadata: {
          ...team.props.metadata,
          annotations: { "kube-monitoring.io/copies-to-platform": "true" },
        },
      },
    };
    assert.deepEqual(
      problems([copies, leaky, rule("shop", "Down", { severity: "critical" })])[0],
      "Down@shop shop/shop/pager,monitoring/platform/ops: ok",
    );
    assert.deepEqual(
      problems([
        team,
        leaky,
        rule("monitoring", "AlertmanagerNotificationsFailing", { namespace: "shop", severity: "critical" }),
      ])[0],
      "AlertmanagerNotificationsFailing@shop shop/shop/pager,monitoring/platform/ops: ok",
    );
    const silent = amc("shop", "shop", { route: { receiver: "null" } });
    assert.deepEqual(problems([silent, platform([drop])]), [
      "KubePodCrashLooping@shop : reaches no receiver that notifies anyone (shop/shop/null, monitoring/platform/null)",
    ]);
    // The platform's own alerts reaching nobody are alert-delivery's finding, not this one's.
    assert.deepEqual(
      problems([
        amc("monitoring", "platform", { route: { receiver: "null" } }, true),
        rule("monitoring", "X", {}),
      ]),
      ["X@monitoring : ok"],
    );
  });

  // Alertmanager's walk without shortcuts: the reference the indexed walk must agree with.
  type R = {
    receiver?: string;
    matchers?: { name: string; value: string; matchType: string }[];
    continue?: boolean;
    routes?: R[];
  };
  const naive = (route: R, labels: Record<string, string>, inherited?: string): string[] => {
    const receiver = route.receiver ?? inherited;
    const out: string[] = [];
    for (const child of route.routes ?? []) {
      if (!(child.matchers ?? []).every((x) => matches(x, labels))) continue;
      out.push(...naive(child, labels, receiver));
      if (!child.continue) return out;
    }
    return out.length ? out : receiver ? [receiver] : [];
  };

  it("walks a tree of many namespaces exactly as the plain walk does, order and continue kept", () => {
    const routes: R[] = [];
    for (let i = 0; i < 24; i++) {
      routes.push({
        receiver: `ns${i % 6}-${i}`,
        matchers: [m("namespace", `ns${i % 6}`)],
        continue: i % 4 !== 0,
      });
      if (i % 5 === 0)
        routes.push({ receiver: `open-${i}`, matchers: [m("severity", "critical")], continue: i % 2 === 0 });
      if (i % 7 === 0)
        routes.push({ receiver: `re-${i}`, matchers: [m("namespace", "ns1|ns2", "=~")], continue: true });
    }
    const tree: R = { receiver: "root", routes };
    for (const ns of ["ns0", "ns1", "ns2", "ns5", "other", ""]) {
      for (const severity of ["critical", "warning"]) {
        const labels: Record<string, string> = { severity, ...(ns ? { namespace: ns } : {}) };
        assert.deepEqual(receiversFor(tree, labels), naive(tree, labels), JSON.stringify(labels));
      }
    }
    assert.deepEqual(receiversFor(tree, { namespace: "ns1", severity: "critical" }).slice(0, 3), [
      "open-0",
      "re-0",
      "ns1-1",
    ]);
  });

  it("reports each misrouted alert once as the policy, on the platform's configuration", () => {
    const leaky = [
      resourceOf(team.type, "shop", team.props as Record<string, unknown>),
      resourceOf(
        platform([]).type,
        "platform",
        platform([{ receiver: "ops", matchers: [m("severity", "critical")] }]).props,
      ),
      resourceOf(
        rule("shop", "Down", {}).type,
        "rules",
        rule("shop", "Down", { severity: "critical" }).props,
      ),
    ];
    assertViolations(alertOwnership, leaky, [
      "alert Down in namespace shop: reaches monitoring/platform/ops, which belongs to another owner than namespace shop's",
    ]);
    const silent = amc("shop", "shop", { route: { receiver: "null" } });
    assertViolations(
      alertOwnership,
      [
        resourceOf(silent.type, "shop", silent.props),
        resourceOf(platform([]).type, "platform", platform([]).props),
      ],
      [
        "alert KubePodCrashLooping (the chart's kube alerts) in namespace shop: reaches no receiver that notifies anyone (shop/shop/null)",
      ],
    );
    assertNoViolations(alertOwnership, leaky.slice(0, 1));
  });
});
