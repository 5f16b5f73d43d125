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

describe("policy no-plaintext-secrets: every credential field Alertmanager has", () => {
  // The receiver fields the operator's CRD types as Secret key selectors, each where a receiver holds it.
  const crd: [string, string][] = [
    ["pagerdutyConfigs", "routingKey"],
    ["pagerdutyConfigs", "serviceKey"],
    ["slackConfigs", "apiURL"],
    ["opsgenieConfigs", "apiKey"],
    ["wechatConfigs", "apiSecret"],
    ["emailConfigs", "authPassword"],
    ["emailConfigs", "authSecret"],
    ["webhookConfigs", "urlSecret"],
    ["pushoverConfigs", "userKey"],
    ["pushoverConfigs", "token"],
    ["telegramConfigs", "botToken"],
    ["msteamsConfigs", "webhookUrl"],
    ["webhookConfigs", "httpConfig.basicAuth.password"],
    ["webhookConfigs", "httpConfig.authorization.credentials"],
    ["webhookConfigs", "httpConfig.oauth2.clientSecret"],
  ];
  for (const [integration, path] of crd) {
    it(`refuses a plain ${path} in an AlertmanagerConfig's ${integration}`, () => {
      const config = path.split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), "x") as Record<
        string,
        unknown
      >;
      assertViolations(
        noPlaintextSecrets,
        [amc([{ name: "r", [integration]: [config] }])],
        [`AlertmanagerConfig shop: receivers[0].${integration}[0].${path} is a plain string; ${fix}.`],
      );
    });
  }

  // alertmanager.yaml's own (snake_case) fields, in another chart's values: only their *_file forms are safe.
  const raw = [
    "routing_key",
    "service_key",
    "api_url",
    "api_key",
    "auth_password",
    "auth_secret",
    "bot_token",
    "token",
    "password",
    "credentials",
    "client_secret",
    "webhook_url",
    "slack_api_url",
    "pagerduty_url",
    "smtp_auth_password",
  ];
  it("refuses each of alertmanager.yaml's credential fields in a chart's values, and passes their *_file forms", () => {
    const values = { config: { receivers: [Object.fromEntries(raw.map((f) => [f, "x"]))] } };
    assertViolations(
      noPlaintextSecrets,
      [release(values, "alertmanager")],
      raw.map((f) => `Helm release kps: config.receivers[0].${f} holds a credential in the values; ${fix}.`),
    );
    const files = { config: { receivers: [Object.fromEntries(raw.map((f) => [`${f}_file`, "/etc/x"]))] } };
    assertNoViolations(noPlaintextSecrets, [release(files, "alertmanager")]);
  });

  it("finds each kind of credential assignment in a ConfigMap, quoted or not, and a Slack webhook URL", () => {
    const cm = (data: Record<string, string>) => resourceOf("kubernetes:core/v1:ConfigMap", "cfg", { data });
    const names = [
      "password",
      "passwd",
      "secret_key",
      "access_key",
      "routing_key",
      "service_key",
      "api_key",
      "bearer_token",
      "client_secret",
      "auth_token",
    ];
    const data = Object.fromEntries(names.map((n, i) => [`f${i}`, i % 2 ? `"${n}": "v"` : `${n}=v`]));
    assertViolations(
      noPlaintextSecrets,
      [cm({ ...data, hook: "url: https://hooks.slack.com/services/T000/B000/XXXX" })],
      [
        ...names.map((_, i) => `ConfigMap cfg: data.f${i} contains a credential assignment; ${fix}.`),
        `ConfigMap cfg: data.hook contains a Slack webhook URL; ${fix}.`,
      ],
    );
    // A templated or empty value is no credential.
    assertNoViolations(noPlaintextSecrets, [cm({ a: "password: ${PASSWORD}", b: 'password: ""' })]);
  });
});
