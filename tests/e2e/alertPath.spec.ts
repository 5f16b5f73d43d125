/**
 * End to end, on loopback: a fixture app, a real Prometheus with the rules the program generates and a
 * scrape config equivalent to the app's ServiceMonitor, a real Alertmanager with the routing the operator
 * would build from the generated platform and app AlertmanagerConfigs, and webhook receivers. Raising the
 * app's error rate must deliver HighErrorRate to the app's receiver only, and lowering it must resolve it;
 * a platform alert must reach the platform receiver, and Watchdog the heartbeat, again and again.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import {
  GLOBAL_CONFIG_LABEL,
  PLATFORM_ALERTMANAGER_CONFIG,
  appRuleGroups,
  parseStackConfig,
  ownershipOf,
  platformRoutingSpec,
  routingSpec,
} from "../../components";
import { effectiveAlertmanagerConfig } from "../../plan/alertmanagerConfig";
import type { RecordedResource } from "../../plan/runtime";
import { requireTool } from "../helpers/tools";
import { FixtureApp, WebhookReceiver, startFixtureApp, startWebhookReceiver } from "./fixtureApp";
import { Processes, freePort, ready, waitFor } from "./processes";

const NAMESPACE = "e2e";
const SERVICE = "e2e-app";

describe("end to end: error rate → Prometheus → Alertmanager → receiver", function () {
  this.timeout(90_000);
  const processes = new Processes();
  let dir: string;
  let app: FixtureApp;
  let hook: WebhookReceiver;

  let diagnostics = async () => "";

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    requireTool(this, "prometheus-alertmanager", "prometheus-alertmanager");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-e2e-"));
    app = await startFixtureApp();
    hook = await startWebhookReceiver();
    const [promPort, amPort] = [await freePort(), await freePort()];

    // The same generators as the stacks, with windows short enough for a test.
    const cfg = parseStackConfig(
      "e2e",
      {
        environment: "dev",
        clusterName: "e2e",
        alerting: {
          runbookBaseUrl: "https://runbooks.example.com/kube-monitoring",
          receivers: [{ name: "platform", webhook: { url: `http://127.0.0.1:${hook.port}/platform` } }],
          defaultReceiver: "platform",
          groupWait: "1s",
          groupInterval: "1s",
          heartbeat: { url: { secretName: "platform-alerting", key: "heartbeat-url" }, repeatInterval: "1s" },
        },
        apps: [
          {
            name: SERVICE,
            namespace: NAMESPACE,
            team: "backend",
            serviceMonitor: { endpoints: [{ port: "metrics", interval: "1s", scrapeTimeout: "1s" }] },
            alerts: { errorRate: { threshold: 0.05, window: "4s", for: "1s", severity: "critical" } },
            routing: {
              defaultReceiver: "oncall",
              groupWait: "1s",
              groupInterval: "1s",
              repeatInterval: "1h",
              receivers: [
                { name: "oncall", webhook: { url: `http://127.0.0.1:${hook.port}/hook` } },
                { name: "chat", webhook: { url: `http://127.0.0.1:${hook.port}/chat` } },
              ],
              routes: [{ receiver: "oncall", severity: "critical" }],
            },
          },
        ],
      },
      { secretKeys: [] },
    );
    const appCfg = cfg.apps[0];
    fs.writeFileSync(
      path.join(dir, "rules.yaml"),
      // Generated rules as they are; only the evaluation interval shrinks from 30s to 1s for the test.
      stringify({
        groups: [
          ...appRuleGroups(appCfg, cfg.alerting.runbookBaseUrl!),
          // What the chart's rules send: the always-firing Watchdog, and a platform alert.
          {
            name: "platform",
            rules: [
              { alert: "Watchdog", expr: "vector(1)", labels: { severity: "none" } },
              {
                alert: "PlatformDown",
                expr: "vector(1)",
                labels: { severity: "critical", namespace: "monitoring" },
              },
            ],
          },
        ].map((g) => ({ ...g, interval: "1s" })),
      }),
    );

    // What the operator renders for the ServiceMonitor: job = Service name, namespace as a label.
    fs.writeFileSync(
      path.join(dir, "prometheus.yaml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: [path.join(dir, "rules.yaml")],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [
          {
            job_name: `serviceMonitor/${NAMESPACE}/${SERVICE}/0`,
            scrape_interval: "1s",
            scrape_timeout: "1s",
            metrics_path: "/metrics",
            static_configs: [{ targets: [`127.0.0.1:${app.port}`], labels: { namespace: NAMESPACE } }],
            relabel_configs: [{ target_label: "job", replacement: SERVICE }],
          },
        ],
      }),
    );

    const resources = [
      {
        type: "kubernetes:helm.sh/v3:Release",
        inputs: {
          chart: "kube-prometheus-stack",
          namespace: "monitoring",
          values: {
            alertmanager: {
              alertmanagerSpec: {
                alertmanagerConfiguration: { name: PLATFORM_ALERTMANAGER_CONFIG },
                alertmanagerConfigSelector: {
                  matchExpressions: [{ key: GLOBAL_CONFIG_LABEL, operator: "DoesNotExist" }],
                },
              },
            },
          },
        },
      },
      {
        type: "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
        inputs: {
          kind: "AlertmanagerConfig",
          metadata: {
            name: PLATFORM_ALERTMANAGER_CONFIG,
            namespace: "monitoring",
            labels: { [GLOBAL_CONFIG_LABEL]: "true" },
          },
          spec: platformRoutingSpec(cfg.alerting, ownershipOf(cfg)),
        },
      },
      {
        type: "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
        inputs: {
          kind: "AlertmanagerConfig",
          metadata: { name: SERVICE, namespace: NAMESPACE },
          spec: routingSpec(SERVICE, appCfg.routing!),
        },
      },
    ] as unknown as RecordedResource[];
    // The operator reads the heartbeat URL from its Secret; here it is the local webhook.
    const effective = stringify(effectiveAlertmanagerConfig(resources)).replace(
      "https://secret.invalid/platform-alerting/heartbeat-url",
      `http://127.0.0.1:${hook.port}/heartbeat`,
    );
    fs.writeFileSync(path.join(dir, "alertmanager.yaml"), effective);

    const start = (cmd: string, args: string[]) => processes.start(cmd, args);
    start("prometheus-alertmanager", [
      `--config.file=${path.join(dir, "alertmanager.yaml")}`,
      `--storage.path=${path.join(dir, "am")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=",
    ]);
    diagnostics = async () => {
      const get = async (url: string) =>
        (
          await fetch(url)
            .then((r) => r.text())
            .catch((e: Error) => e.message)
        ).slice(0, 1500);
      return [
        `Prometheus rules: ${await get(`http://127.0.0.1:${promPort}/api/v1/rules`)}`,
        `Prometheus alertmanagers: ${await get(`http://127.0.0.1:${promPort}/api/v1/alertmanagers`)}`,
        `Alertmanager alerts: ${await get(`http://127.0.0.1:${amPort}/api/v2/alerts`)}`,
        `webhook notifications: ${JSON.stringify(hook.notifications).slice(0, 1500)}`,
      ].join("\n");
    };
    await waitFor("Alertmanager to be ready", 20_000, () => ready(`http://127.0.0.1:${amPort}/-/ready`));
    // Only now: Watchdog fires at once, and its first send must find the Alertmanager up.
    start("prometheus", [
      `--config.file=${path.join(dir, "prometheus.yaml")}`,
      `--storage.tsdb.path=${path.join(dir, "prom")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // Re-send firing alerts every second rather than every minute.
      "--rules.alert.resend-delay=1s",
    ]);
    await waitFor("Prometheus to be ready", 20_000, () => ready(`http://127.0.0.1:${promPort}/-/ready`));
    // Errors start now, so their alert builds up while the platform alerts are checked; the second test
    // waits for its notification, then lowers the rate and waits for the resolution.
    app.setErrorRate(0.5);
  });

  after(async () => {
    await processes.stopAll();
    await app?.close();
    await hook?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("delivers a platform alert to the platform receiver and Watchdog to the heartbeat, repeatedly", async () => {
    const platform = await waitFor("a PlatformDown notification", 30_000, () =>
      hook.notifications.find((n) => n.alerts.some((a) => a.labels.alertname === "PlatformDown")),
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await diagnostics()}`);
    });
    assert.equal((platform as { receiver?: string }).receiver, "monitoring/platform/platform");
    const heartbeats = () =>
      hook.notifications.filter(
        (n) => (n as { receiver?: string }).receiver === "monitoring/platform/watchdog-heartbeat",
      );
    await waitFor("three Watchdog heartbeats", 30_000, () => (heartbeats().length >= 3 ? true : undefined));
    assert.ok(heartbeats().every((n) => n.alerts.every((a) => a.labels.alertname === "Watchdog")));
    assert.ok(
      !hook.notifications.some(
        (n) =>
          (n as { receiver?: string }).receiver !== "monitoring/platform/watchdog-heartbeat" &&
          n.alerts.some((a) => a.labels.alertname === "Watchdog"),
      ),
    );
  });

  it("delivers HighErrorRate to the critical receiver with its labels and annotations, then resolves it", async () => {
    const firing = await waitFor("a firing HighErrorRate notification", 45_000, () =>
      hook.notifications
        .flatMap((n) => n.alerts)
        .find((a) => a.status === "firing" && a.labels.alertname === "HighErrorRate"),
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await diagnostics()}`);
    });
    assert.deepEqual(
      Object.fromEntries(
        ["alertname", "severity", "namespace", "job", "app", "team"].map((k) => [k, firing.labels[k]]),
      ),
      {
        alertname: "HighErrorRate",
        severity: "critical",
        namespace: NAMESPACE,
        job: SERVICE,
        app: SERVICE,
        team: "backend",
      },
    );
    assert.equal(firing.annotations.summary, `${SERVICE}: more than 5% of requests fail`);
    assert.equal(
      firing.annotations.runbook_url,
      "https://runbooks.example.com/kube-monitoring/HighErrorRate",
    );
    assert.match(
      firing.annotations.description,
      /^e2e-app in e2e answers \d+(\.\d+)?% of requests with errors\.$/,
    );
    const receiversOf = (alertname: string) =>
      new Set(
        hook.notifications
          .filter((n) => n.alerts.some((a) => a.labels.alertname === alertname))
          .map((n) => (n as { receiver?: string }).receiver),
      );
    assert.deepEqual([...receiversOf("HighErrorRate")], [`${NAMESPACE}/${SERVICE}/oncall`]);

    app.setErrorRate(0);
    await waitFor("the resolved notification", 45_000, () =>
      hook.notifications
        .flatMap((n) => n.alerts)
        .find((a) => a.status === "resolved" && a.labels.alertname === "HighErrorRate"),
    );
  });
});
