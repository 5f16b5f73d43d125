/**
 * Alert ownership: team stacks that reach outside their claimed namespaces are refused naming the
 * app, the namespace and its owner; and, on a platform plan and a team plan, amtool routes each alert
 * to its owner only (plus `null` after the owner, which is the platform swallowing what it does not own).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { Plan, planStack, teamPlanContext } from "../plan/plan";
import { effectiveAlertmanagerConfig } from "../plan/alertmanagerConfig";
import { alertRouting } from "../policies/ownership";
import { Loose, planWithConfig, projectDir } from "./helpers/plan";

const REFERENCE = "example-org/kube-monitoring/fixture";
const receiver = (name: string, kind: "pagerduty" | "slack") =>
  kind === "pagerduty"
    ? { name, pagerduty: { routingKey: { secretName: "creds", key: `${name}-key` } } }
    : { name, slack: { apiUrl: { secretName: "creds", key: `${name}-url` }, channel: "#c" } };
const routing = {
  defaultReceiver: "pager",
  receivers: [receiver("pager", "pagerduty"), receiver("chat", "slack")],
};
const app = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace,
  serviceMonitor: { endpoints: [{ port: "metrics", interval: "30s" }] },
  alerts: { errorRate: { threshold: 0.02, severity: "critical" }, targetDown: { severity: "critical" } },
  routing,
  ...extra,
});

/** A prod-like platform: teams payments and search registered, one routed app of its own. */
const platformConfig = {
  "kube-monitoring:environment": "prod",
  "kube-monitoring:clusterName": "fixture",
  "kube-monitoring:cluster": { provider: "eks" },
  "kube-monitoring:grafana": { enabled: false },
  "kube-monitoring:alerting": {
    receivers: [receiver("platform-pager", "pagerduty"), receiver("platform-chat", "slack")],
    defaultReceiver: "platform-chat",
    routes: [{ receiver: "platform-pager", severity: "critical" }],
    heartbeat: { url: { secretName: "creds", key: "heartbeat" } },
  },
  "kube-monitoring:teams": [{ name: "payments" }, { name: "search", namespacePrefix: "find-" }],
  "kube-monitoring:apps": [app("shop", "shop", { team: "retail" })],
};

let platform: Plan;
before(async function () {
  this.timeout(120_000);
  const result = await planWithConfig("fixture", platformConfig);
  assert.equal(result.exitCode, 0, result.report);
  platform = result.plan!;
});

/** Plans a team stack from its config, in a directory of its own, against the fixture platform. */
async function planTeam(team: string, config: Record<string, unknown>, contract?: (c: Loose) => Loose) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-team-"));
  try {
    fs.copyFileSync(path.join(projectDir, "teams", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const yaml = stringify({
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`kube-monitoring:${k}`, v])),
    });
    fs.writeFileSync(path.join(dir, `Pulumi.${team}.yaml`), yaml);
    fs.writeFileSync(path.join(dir, `config.${team}.json`), JSON.stringify({ profile: "prod" }));
    const outputs = platform.outputs as Loose;
    const platformView = contract
      ? { ...platform, outputs: { ...outputs, platformContract: contract(outputs.platformContract) } }
      : platform;
    return await planStack({
      projectDir: path.join(projectDir, "teams"),
      configDir: dir,
      policyConfigDir: dir,
      stack: team,
      ...teamPlanContext(REFERENCE, platformView),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const teamStack = (apps: unknown[]) => ({ environment: "prod", platformStack: REFERENCE, apps });

describe("alert ownership: team stacks stay in their namespaces", () => {
  it("plans a team's routed apps in its claimed namespaces", async () => {
    const result = await planTeam("payments", teamStack([app("checkout", "payments-checkout")]));
    assert.equal(result.exitCode, 0, result.report);
  });

  const refusals: [string, string, unknown[], string][] = [
    [
      "the monitoring namespace",
      "payments",
      [app("checkout", "monitoring")],
      "Pulumi.payments.yaml:6: apps[checkout].namespace: namespace monitoring is owned by the platform: an app with routing there would take the platform's alerts; give the app its own namespace",
    ],
    [
      "kube-system",
      "payments",
      [app("checkout", "kube-system")],
      "Pulumi.payments.yaml:6: apps[checkout].namespace: namespace kube-system is owned by the platform: an app with routing there would take the platform's alerts; give the app its own namespace",
    ],
    [
      "another team's namespace",
      "payments",
      [app("checkout", "find-index")],
      "Pulumi.payments.yaml:6: apps[checkout].namespace: find-index is owned by team search (prefix find-)",
    ],
    [
      "a namespace no team claims",
      "payments",
      [app("checkout", "checkout")],
      "Pulumi.payments.yaml:6: apps[checkout].namespace: checkout is outside team payments's namespaces (payments-*)",
    ],
    [
      "an unregistered team",
      "billing",
      [app("invoices", "billing-invoices")],
      "Pulumi.billing.yaml:6: apps[invoices].namespace: team billing claims no namespaces in the platform stack; add { name: billing } to the platform's teams",
    ],
    [
      "another team's label",
      "payments",
      [app("checkout", "payments-checkout", { team: "search" })],
      "Pulumi.payments.yaml:31: apps[checkout].team: search is not this stack's team payments; a team stack holds one team's apps",
    ],
    [
      "an app without routing",
      "payments",
      [{ ...app("checkout", "payments-checkout"), routing: undefined }],
      "Pulumi.payments.yaml:5: apps[checkout].routing: is required in a team stack: the platform leaves the alerts of team payments's namespaces to the team's routing",
    ],
    [
      "the platform's app name",
      "payments",
      [app("shop", "payments-shop")],
      `Pulumi.payments.yaml:5: apps[shop]: app shop is in both this team stack (payments) and the platform stack ${REFERENCE} (in namespace shop); ` +
        "an app belongs to one stack: remove it from one of them, or rename one",
    ],
    [
      "copies to the platform",
      "payments",
      [app("checkout", "payments-checkout", { routing: { ...routing, copyToPlatform: true } })],
      "Pulumi.payments.yaml:31: apps[checkout].routing.copyToPlatform: is for platform stack apps; a team stack's alerts stay with the team",
    ],
  ];
  for (const [what, team, apps, message] of refusals) {
    it(`refuses ${what} with exit 1, naming app, namespace and owner`, async () => {
      const result = await planTeam(team, teamStack(apps));
      assert.equal(result.exitCode, 1);
      assert.equal(result.report, message);
    });
  }

  it("refuses honorLabels on a team's monitor", async () => {
    const honoring = app("checkout", "payments-checkout", {
      serviceMonitor: { endpoints: [{ port: "metrics", interval: "30s", honorLabels: true }] },
    });
    const result = await planTeam("payments", teamStack([honoring]));
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.report,
      "Pulumi.payments.yaml:5: apps[checkout]: honorLabels is refused in a team stack: the target's own labels (namespace, job) would win over the stack's; relabel instead, or ask the platform to monitor it",
    );
  });

  it("refuses an alert labelled into another owner's namespace", async () => {
    const forged = app("checkout", "payments-checkout", {
      alerts: { custom: [{ alert: "Forged", expr: "vector(1) > 0", labels: { namespace: "kube-system" } }] },
    });
    const result = await planTeam("payments", teamStack([forged]));
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.report,
      'Pulumi.payments.yaml:16: apps[checkout].alerts.custom[0].labels: sets namespace="kube-system", but this app\'s alerts carry namespace="payments-checkout": the stack sets it, so the alert reaches the app\'s owner and no other',
    );
  });

  it("takes the owned namespaces from the contract it reads, not from its own config", async () => {
    const result = await planTeam("payments", teamStack([app("checkout", "payments-checkout")]), (c) => ({
      ...c,
      teams: [{ name: "payments", namespacePrefix: "pay-" }],
    }));
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.report,
      "Pulumi.payments.yaml:6: apps[checkout].namespace: payments-checkout is outside team payments's namespaces (pay-*)",
    );
  });
});

describe("alert ownership: amtool routes each alert to its owner only", () => {
  let configFile: string;
  before(async function () {
    this.timeout(120_000);
    const team = await planTeam(
      "payments",
      teamStack([
        app("checkout", "payments-checkout"),
        app("fraud", "payments-checkout", { routing: { ...routing, defaultReceiver: "chat" } }),
      ]),
    );
    assert.equal(team.exitCode, 0, team.report);
    const effective = effectiveAlertmanagerConfig([
      ...platform.resources,
      ...team.plan!.resources.filter((r) => r.inputs.kind === "AlertmanagerConfig"),
    ]);
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-am-")), "am.yaml");
    fs.writeFileSync(configFile, stringify(effective));
  });
  after(() => configFile && fs.rmSync(path.dirname(configFile), { recursive: true, force: true }));

  const routes = (labels: string) =>
    execFileSync(
      "amtool",
      ["config", "routes", "test", `--config.file=${configFile}`, ...labels.split(" ")],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    ).trim();

  const cases: [string, string, string][] = [
    [
      "a team's critical alert to the team's pager only",
      "alertname=HighErrorRate namespace=payments-checkout app=checkout severity=critical",
      "payments-checkout/checkout/pager,monitoring/platform/null",
    ],
    [
      "a sibling app's alert to that app only",
      "alertname=HighErrorRate namespace=payments-checkout app=fraud severity=critical",
      "payments-checkout/fraud/chat,monitoring/platform/null",
    ],
    [
      "a kube alert about the team's pods to the namespace's router (first app by name)",
      "alertname=KubePodCrashLooping namespace=payments-checkout pod=checkout-1 severity=warning",
      "payments-checkout/checkout/pager,monitoring/platform/null",
    ],
    [
      "a kube alert in a claimed namespace the team has not deployed yet to nobody but null",
      "alertname=KubePodCrashLooping namespace=payments-ledger severity=warning",
      "monitoring/platform/null",
    ],
    [
      "a platform app's alert to the app only",
      "alertname=HighErrorRate namespace=shop app=shop severity=critical",
      "shop/shop/pager,monitoring/platform/null",
    ],
    [
      "a node alert to the platform",
      "alertname=NodeFilesystemAlmostOutOfSpace namespace=monitoring severity=critical",
      "monitoring/platform/platform-pager",
    ],
    [
      "an alert without a namespace to the platform",
      "alertname=KubeAPIDown severity=critical",
      "monitoring/platform/platform-pager",
    ],
    [
      "a failing team pager to the team's Slack and the platform's Slack",
      "alertname=AlertmanagerNotificationsFailing namespace=payments-checkout integration=pagerduty severity=critical",
      "payments-checkout/checkout/chat,monitoring/platform/platform-chat",
    ],
    [
      "a failing team Slack to the team's pager and the platform's Slack, never the platform's pager",
      "alertname=AlertmanagerNotificationsFailing namespace=payments-checkout integration=slack severity=critical",
      "payments-checkout/checkout/pager,monitoring/platform/platform-chat",
    ],
    [
      "a team namespace's InfoInhibitor to nobody",
      "alertname=InfoInhibitor namespace=payments-checkout severity=none",
      "payments-checkout/checkout/null,monitoring/platform/null",
    ],
    [
      "a failing platform Slack to the platform's pager",
      "alertname=AlertmanagerNotificationsFailing namespace=monitoring integration=slack severity=critical",
      "monitoring/platform/platform-pager",
    ],
    [
      "a failing heartbeat webhook to a platform receiver, never the heartbeat",
      "alertname=AlertmanagerNotificationsFailing namespace=monitoring integration=webhook severity=critical",
      "monitoring/platform/platform-chat",
    ],
  ];
  for (const [what, labels, expected] of cases) {
    it(`sends ${what}`, () => assert.equal(routes(labels), expected));
  }
});

describe("alert ownership: the routing table and the alert-ownership policy", () => {
  const asPolicyInput = (resources: Plan["resources"]) =>
    resources.map((r) => ({ type: r.type, props: r.inputs }));

  it("lists every alert with the receivers it reaches, and finds nothing wrong on the fixture", () => {
    const table = alertRouting(asPolicyInput(platform.resources))!;
    const shop = table
      .filter((a) => a.namespace === "shop")
      .map((a) => `${a.alert} ${a.receivers.join(",")} ${a.swallowed}`);
    assert.deepEqual(shop, [
      "HighErrorRate shop/shop/pager true",
      "TargetDown shop/shop/pager true",
      "KubePodCrashLooping shop/shop/pager true",
    ]);
    assert.deepEqual(
      table.filter((a) => a.problem),
      [],
    );
  });

  // As in Alertmanager, a parent whose matching children all `continue` is not itself a match: only the
  // alerts a later platform route matches (critical → pager) leak without the drop.
  it("fails an app alert that also reaches the platform, once the platform no longer drops its namespace", () => {
    const broken = platform.resources.map((r) => {
      if (r.inputs.kind !== "AlertmanagerConfig" || (r.inputs.metadata as Loose).name !== "platform")
        return r;
      const spec = structuredClone(r.inputs.spec) as Loose;
      spec.route.routes = spec.route.routes.filter(
        (x: Loose) => x.receiver !== "null" || x.matchers[0].name !== "namespace",
      );
      return { ...r, inputs: { ...r.inputs, spec } };
    });
    const problems = alertRouting(asPolicyInput(broken))!
      .filter((a) => a.problem)
      .map((a) => `${a.alert} ${a.namespace}: ${a.problem}`);
    assert.deepEqual(problems, [
      "HighErrorRate shop: reaches monitoring/platform/platform-pager, which belongs to another owner than namespace shop's",
      "TargetDown shop: reaches monitoring/platform/platform-pager, which belongs to another owner than namespace shop's",
    ]);
  });
});

describe("alert ownership: namespace enforcement in Prometheus", () => {
  const KINDS: Record<string, string> = {
    ServiceMonitor: "servicemonitors",
    PodMonitor: "podmonitors",
    Probe: "probes",
    ScrapeConfig: "scrapeconfigs",
    PrometheusRule: "prometheusrules",
  };

  it("labels every team object's series and alerts with its own namespace, and exempts exactly the platform's", () => {
    const release = platform.resources.find((r) => r.inputs.chart === "kube-prometheus-stack")!;
    const releaseNs = String(release.inputs.namespace);
    const spec = ((release.inputs.values as Loose).prometheus as Loose).prometheusSpec as Loose;
    assert.equal(spec.enforcedNamespaceLabel, "namespace");
    const exempt = new Set(
      (spec.excludedFromEnforcement as Loose[]).map(
        (e) => `${e.group}/${e.resource}/${e.namespace}/${e.name ?? "*"}`,
      ),
    );
    // The chart renders its own monitors and rules (kube-state-metrics, kubelet/cAdvisor, its kube alerts)
    // into the release namespace: exempt, so KubePodCrashLooping keeps each pod's own namespace.
    for (const resource of Object.values(KINDS)) {
      assert.ok(exempt.has(`monitoring.coreos.com/${resource}/${releaseNs}/*`), resource);
    }
    // Every monitoring object of the plan is exempt if and only if it is in the platform's namespace.
    const objects = platform.resources.filter((r) => KINDS[String(r.inputs.kind)]);
    assert.ok(objects.some((r) => (r.inputs.metadata as Loose).namespace === "shop"));
    for (const r of objects) {
      const ns = String((r.inputs.metadata as Loose).namespace);
      const key = `monitoring.coreos.com/${KINDS[String(r.inputs.kind)]}/${ns}/*`;
      assert.equal(exempt.has(key), ns === releaseNs, `${String(r.inputs.kind)} ${r.name} in ${ns}`);
    }
    assert.equal(exempt.size, Object.keys(KINDS).length);
  });
});
