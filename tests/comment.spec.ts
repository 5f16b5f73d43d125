/**
 * The PR comment a reviewer reads in a minute: YAML diffs with credentials redacted, dashboards
 * summarised, findings split into new and already present, the alerts table, and a graph only where
 * there is structure.
 */
import { strict as assert } from "node:assert";
import { alertsTable, dashboardOf, redact, structureGraph, yamlDiff } from "../plan/commentParts";
import { COMMENT_LIMIT, diffPlans, renderMarkdown } from "../plan/diff";
import type { Plan } from "../plan/plan";
import type { RecordedResource } from "../plan/runtime";
import type { RoutedAlert } from "../policies/ownership";
import { recorded } from "./helpers/plan";

const res = (type: string, name: string, inputs: Record<string, unknown>, parent?: string) =>
  recorded(type, name, inputs, parent ? { parent } : {});
const plan = (resources: RecordedResource[], extra: Partial<Plan> = {}): Plan => ({
  stack: "dev",
  project: "kube-monitoring",
  resources,
  outputs: {},
  violations: [],
  loosened: [],
  checks: [],
  ...extra,
});
const dashboard = (title: string, panels: string[]) =>
  JSON.stringify({ uid: "shop", title, panels: panels.map((p) => ({ title: p, type: "timeseries" })) });
const ROUTING = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
const routing = (value: string) =>
  res(ROUTING, "alerting-routing", {
    spec: {
      route: {
        receiver: "platform",
        routes: [{ matchers: [{ name: "namespace", matchType: "=~", value }], receiver: "null" }],
      },
    },
  });
const routed = (alert: string, receivers: string[], extra: Partial<RoutedAlert> = {}): RoutedAlert => ({
  alert,
  namespace: "shop",
  severity: "critical",
  kube: false,
  receivers,
  swallowed: false,
  ...extra,
});

describe("PR comment", () => {
  it("shows a new object as YAML in a diff block, credentials and Secret data redacted", () => {
    const secret = res("kubernetes:core/v1:Secret", "creds", {
      metadata: { name: "creds" },
      stringData: { "pagerduty-routingKey": "R0UT1NGKEY" },
    });
    const receiver = res(ROUTING, "app", {
      spec: {
        receivers: [{ name: "pd", pagerdutyConfigs: [{ routingKey: "PLAINKEY", severity: "critical" }] }],
      },
    });
    const diff = diffPlans(plan([]), plan([secret, receiver]));
    assert.equal(
      yamlDiff(diff.changes.find((c) => c.name === "creds")!),
      '```diff\n+ metadata:\n+   name: creds\n+ stringData:\n+   pagerduty-routingKey: "[redacted]"\n```',
    );
    assert.equal(
      yamlDiff(diff.changes.find((c) => c.name === "app")!),
      [
        "```diff",
        "+ spec:",
        "+   receivers:",
        "+     - name: pd",
        "+       pagerdutyConfigs:",
        '+         - routingKey: "[redacted]"',
        "+           severity: critical",
        "```",
      ].join("\n"),
    );
    const md = renderMarkdown([{ diff, plan: plan([secret, receiver]) }]);
    assert.ok(!md.includes("R0UT1NGKEY") && !md.includes("PLAINKEY"));
    assert.deepEqual(redact({ auth: { password: "p", username: "u" } }), {
      auth: { password: "[redacted]", username: "u" },
    });
  });

  it("says a new component holds its resources instead of showing its empty inputs", () => {
    const component = { ...res("kube-monitoring:index:AppMonitoring", "app-shop", {}), custom: false };
    const cm = res("kubernetes:core/v1:ConfigMap", "shop", { data: { a: "b" } }, component.urn);
    const md = renderMarkdown([
      { diff: diffPlans(plan([]), plan([component, cm])), plan: plan([component, cm]) },
    ]);
    assert.ok(
      md.includes(
        "<summary>+ create <code>AppMonitoring</code> app-shop</summary>\n\nA component: nothing of its own, it holds the resources listed with it.\n\n</details>",
      ),
      md,
    );
    assert.ok(md.includes("```diff\n+ data:\n+   a: b\n```"), "the ConfigMap's inputs are shown");
  });

  it("summarises dashboards by title and panels added or removed, never as escaped JSON", () => {
    const cm = (panels: string[]) =>
      res("kubernetes:core/v1:ConfigMap", "dash", { data: { "shop.json": dashboard("Shop", panels) } });
    const before = plan([cm(["Requests", "Errors"])]);
    const after = plan([cm(["Requests", "Latency"])]);
    const md = renderMarkdown([{ diff: diffPlans(before, after), plan: after, base: before }]);
    assert.ok(md.includes('- dashboard "Shop": panels added: Latency; removed: Errors\n'), md);
    assert.ok(
      md.includes(
        '@@ data.shop.json @@\n- <dashboard "Shop" (uid shop), 2 panels>\n+ <dashboard "Shop" (uid shop), 2 panels>',
      ),
    );
    assert.ok(!md.includes('\\"panels\\"') && !md.includes('"panels"'), "escaped JSON in the comment");
    assert.deepEqual(dashboardOf(dashboard("T", ["a"])), { title: "T", uid: "shop", panels: ["a"] });
    assert.equal(dashboardOf('{"not":"a dashboard"}'), undefined);
  });

  it("explains a changed route to null instead of leaving it unexplained", () => {
    const before = plan([routing("payments-.+")]);
    const after = plan([routing("shop|payments-.+")]);
    const md = renderMarkdown([{ diff: diffPlans(before, after), plan: after, base: before }]);
    assert.ok(
      md.includes(
        "```diff\n@@ spec.route.routes[0].matchers[0].value @@\n- payments-.+\n+ shop|payments-.+\n```\n\n" +
          "`spec.route.routes[0]` goes to `null`: the platform's tree drops the alerts of namespaces a team owns " +
          "after that owner's receivers have them (docs/ownership.md)",
      ),
      md,
    );
  });

  it("lists each new or changed alert with its severity and the receivers it reaches", () => {
    const table = alertsTable(
      [
        routed("Same", ["shop/app/pd"]),
        routed("Moved", ["monitoring/platform/slack"]),
        routed("Gone", ["x"]),
      ],
      [
        routed("Same", ["shop/app/pd"]),
        routed("Moved", ["shop/app/pd", "shop/app/slack"], { swallowed: true }),
        routed("HighErrorRate", ["shop/app/pd"], { swallowed: true }),
        routed("KubePodCrashLooping", [], { kube: true, severity: "warning", problem: "reaches nobody" }),
      ],
    );
    assert.equal(
      table,
      [
        "**Alerts** (who each new or changed alert reaches, in order; all of them in `manifests/alert-routing.md`)",
        "",
        "| alert | namespace | severity | change | receivers | note |",
        "|---|---|---|---|---|---|",
        "| `HighErrorRate` | shop | critical | new | `shop/app/pd` | then dropped (`null`) by the platform's tree, after its owner's receivers |",
        "| `KubePodCrashLooping` | shop | warning | new | **nobody** | **reaches nobody**; stands in for the chart's kube alerts about the namespace |",
        "| `Moved` | shop | critical | changed | `shop/app/pd` → `shop/app/slack` | then dropped (`null`) by the platform's tree, after its owner's receivers; was `monitoring/platform/slack` |",
        "| `Gone` | shop | critical | removed | — | |",
      ].join("\n"),
    );
    assert.equal(alertsTable([routed("Same", ["a"])], [routed("Same", ["a"])]), "");
  });

  it("splits findings and loosenings into new in this PR and already present, collapsed", () => {
    const v = (message: string) => ({
      policy: "grafana-access",
      enforcementLevel: "advisory" as const,
      urn: "urn:pulumi:dev::kube-monitoring::kubernetes:helm.sh/v3:Release::kps",
      message,
    });
    const loose = { policy: "alert-delivery", from: "mandatory", to: "advisory", file: "config.dev.json" };
    const before = plan([], { violations: [v("old finding")], loosened: [loose] });
    const after = plan([res("kubernetes:core/v1:ConfigMap", "x", {})], {
      violations: [v("old finding"), v("new finding")],
      loosened: [loose, { ...loose, policy: "grafana-access" }],
    });
    const md = renderMarkdown([{ diff: diffPlans(before, after), plan: after, base: before }]);
    assert.match(md, /\n> ⚠️ \*\*dev\*\*, new in this PR: `grafana-access` is \*\*advisory\*\*/);
    assert.doesNotMatch(md, /> ⚠️ \*\*dev\*\*, new in this PR: `alert-delivery`/);
    assert.ok(
      md.includes(
        "**New findings in this PR** (1)\n\n| level | policy | resource | message |\n|---|---|---|---|\n" +
          "| advisory | `grafana-access` | Release kps | new finding |\n\n" +
          "<details><summary>Already present before this PR: 1 findings, 1 loosened levels or settings</summary>\n\n" +
          "- `alert-delivery` is **advisory** (mandatory by default), set in `config.dev.json`\n\n" +
          "| level | policy | resource | message |\n|---|---|---|---|\n| advisory | `grafana-access` | Release kps | old finding |\n\n</details>",
      ),
      md,
    );
  });

  it("draws a graph, with a legend, only where two components change", () => {
    const comp = (n: string) => res("kube-monitoring:app:AppMonitoring", n, {});
    const kids = (p: RecordedResource) =>
      ["a", "b"].map((k) => res("kubernetes:core/v1:ConfigMap", `${p.name}-${k}`, {}, p.urn));
    const one = comp("shop");
    const two = comp("cart");
    assert.equal(structureGraph(diffPlans(plan([]), plan([one, ...kids(one)]))), undefined);
    const graph = structureGraph(diffPlans(plan([]), plan([one, ...kids(one), two, ...kids(two)])))!;
    assert.match(graph, /^```mermaid\ngraph LR\n/);
    assert.match(graph, /r\d\["\+ AppMonitoring shop"\]:::create/);
    assert.match(graph, /classDef create fill:/);
    assert.match(
      graph,
      /\nLegend: an arrow goes from a component to a resource it holds; \+ create \(green\)/,
    );
  });

  it("stays under GitHub's limit with escaped input", () => {
    const evil = res("kubernetes:core/v1:ConfigMap", "x`|<b>@team", { data: { k: "```\n<script>" } });
    const md = renderMarkdown([{ diff: diffPlans(plan([]), plan([evil])), plan: plan([evil]) }]);
    assert.ok(md.length < COMMENT_LIMIT);
    assert.ok(md.includes("x\\`\\|&lt;b&gt;&#64;team"));
    assert.ok(md.includes("````diff\n+ data:\n+   k: |-\n+     ```\n+     <script>\n````"), md);
  });
});
