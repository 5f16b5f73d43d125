import { noPlaintextSecrets } from "../../policies/secrets";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const fix = "keep it in a Kubernetes Secret and reference it by name and key";
const amc = (receivers: unknown[]) =>
  resourceOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "shop", {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    spec: { receivers },
  });
const release = (values: unknown, chart = "kube-prometheus-stack") =>
  resourceOf("kubernetes:helm.sh/v3:Release", "kps", { chart, version: "1.0.0", values });

describe("policy no-plaintext-secrets", () => {
  it("passes receivers that reference Secrets", () => {
    assertNoViolations(noPlaintextSecrets, [
      amc([
        { name: "pd", pagerdutyConfigs: [{ routingKey: { name: "s", key: "k" } }] },
        { name: "hook", webhookConfigs: [{ url: "http://relay:8080/hook" }] },
      ]),
    ]);
  });

  it("refuses inline receiver credentials", () => {
    assertViolations(
      noPlaintextSecrets,
      [
        amc([
          { name: "pd", pagerdutyConfigs: [{ routingKey: "R0UT1NG" }] },
          { name: "s", slackConfigs: [{ apiURL: "https://hooks.slack.com/services/T/B/X" }] },
        ]),
      ],
      [
        `AlertmanagerConfig shop: receivers[0].pagerdutyConfigs[0].routingKey is a plain string; ${fix}.`,
        `AlertmanagerConfig shop: receivers[1].slackConfigs[0].apiURL is a plain string; ${fix}.`,
      ],
    );
  });

  it("refuses credentials in release values: remote write, Grafana, objstore, alertmanager.yaml", () => {
    assertViolations(
      noPlaintextSecrets,
      [
        release({
          grafana: { adminPassword: "prom-operator" },
          prometheus: {
            prometheusSpec: {
              remoteWrite: [
                {
                  url: "https://vm",
                  basicAuth: { username: "u", password: { name: "s", key: "p" } },
                  bearerToken: "t",
                },
              ],
              thanos: { objectStorageConfig: { secret: { type: "S3", config: { secret_key: "x" } } } },
            },
          },
          alertmanager: {
            config: { receivers: [{ name: "pd", pagerduty_configs: [{ routing_key: "abc" }] }] },
          },
        }),
      ],
      [
        `Helm release kps: grafana.adminPassword (use grafana.admin.existingSecret) holds a credential in the values; ${fix}.`,
        `Helm release kps: prometheus.prometheusSpec.remoteWrite[0].basicAuth.username holds a credential in the values; ${fix}.`,
        `Helm release kps: prometheus.prometheusSpec.remoteWrite[0].bearerToken holds a credential in the values; ${fix}.`,
        `Helm release kps: prometheus.prometheusSpec.thanos.objectStorageConfig.secret (use existingSecret) holds a credential in the values; ${fix}.`,
        `Helm release kps: alertmanager.config.receivers[0].pagerduty_configs[0].routing_key holds a credential in the values; ${fix}.`,
      ],
    );
  });

  it("passes the values the program writes", () => {
    assertNoViolations(noPlaintextSecrets, [
      release({
        grafana: { admin: { existingSecret: "grafana-admin" } },
        prometheus: {
          prometheusSpec: {
            remoteWrite: [
              { basicAuth: { username: { name: "s", key: "u" }, password: { name: "s", key: "p" } } },
            ],
          },
        },
        alertmanager: { config: { receivers: [{ name: "null" }] } },
      }),
    ]);
  });

  it("finds credentials in ConfigMaps", () => {
    const cm = (data: Record<string, string>) => resourceOf("kubernetes:core/v1:ConfigMap", "cfg", { data });
    assertNoViolations(noPlaintextSecrets, [cm({ "dash.json": '{"title": "password reset rate"}' })]);
    assertViolations(
      noPlaintextSecrets,
      [cm({ "app.yaml": "db:\n  password: hunter2\n", "aws.env": "KEY=AKIAABCDEFGHIJKLMNOP" })],
      [
        `ConfigMap cfg: data.app.yaml contains a credential assignment; ${fix}.`,
        `ConfigMap cfg: data.aws.env contains an AWS access key id; ${fix}.`,
      ],
    );
  });
});
