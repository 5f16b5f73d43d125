import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig, rawConfigFrom } from "../components/config";

const minimal = { environment: "prod", clusterName: "prod-1" };

function problemsOf(raw: Record<string, unknown>, secretKeys: string[] = []): string[] {
  try {
    parseStackConfig("prod", raw, { secretKeys });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("the config was accepted");
}

describe("stack config", () => {
  it("refuses keys JavaScript treats specially, which a record would drop without a word", () => {
    // A route whose only matcher is dropped would match every alert.
    const routes = JSON.parse('[{ "receiver": "ops", "matchers": { "__proto__": "never" } }]');
    assert.deepEqual(problemsOf({ ...minimal, alerting: { defaultReceiver: "ops", routes } }), [
      "prod: alerting.routes[0].matchers: the key __proto__ is reserved (JavaScript would drop it); use another",
    ]);
    assert.deepEqual(problemsOf({ ...minimal, ...JSON.parse('{ "constructor": 1 }') }), [
      "prod: the top-level key constructor is reserved (JavaScript would drop it); use another",
    ]);
    assert.deepEqual(
      problemsOf({ ...minimal, apps: [{ name: "a", namespace: "a", selector: { prototype: "x" } }] }),
      ["prod: apps[0].selector: the key prototype is reserved (JavaScript would drop it); use another"],
    );
  });

  it("applies the documented defaults to a minimal config", () => {
    const cfg = parseStackConfig("prod", minimal);
    assert.equal(cfg.namespace, "monitoring");
    assert.deepEqual(
      {
        replicas: cfg.prometheus.replicas,
        retention: cfg.prometheus.retention,
        scrapeInterval: cfg.prometheus.scrapeInterval,
        expectedActiveSeries: cfg.prometheus.expectedActiveSeries,
        walCompression: cfg.prometheus.walCompression,
        retentionSize: cfg.prometheus.retentionSize,
        storageSize: cfg.prometheus.storageSize,
      },
      {
        replicas: 2,
        retention: "15d",
        scrapeInterval: "30s",
        expectedActiveSeries: 100000,
        walCompression: true,
        retentionSize: undefined,
        storageSize: undefined,
      },
    );
    assert.deepEqual(cfg.prometheus.resources, {
      requests: { cpu: "1", memory: "4Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });
    assert.equal(cfg.alertmanager.replicas, 2);
    assert.deepEqual(cfg.security, { runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 });
  });

  it("keeps explicit values over defaults", () => {
    const cfg = parseStackConfig("dev", {
      environment: "dev",
      clusterName: "dev-1",
      prometheus: { replicas: 1, retention: "2d", storageSize: "10Gi", retentionSize: "8GiB" },
    });
    assert.equal(cfg.prometheus.replicas, 1);
    assert.equal(cfg.prometheus.retention, "2d");
    assert.equal(cfg.prometheus.storageSize, "10Gi");
    assert.equal(cfg.prometheus.retentionSize, "8GiB");
  });

  it("rejects a duration that Prometheus cannot read, naming stack and key", () => {
    assert.deepEqual(problemsOf({ ...minimal, prometheus: { retention: "15 days" } }), [
      'prod: prometheus.retention: "15 days" is not a Prometheus duration (like 15d or 12h)',
    ]);
  });

  it("rejects a zero scrape interval", () => {
    assert.deepEqual(problemsOf({ ...minimal, prometheus: { scrapeInterval: "0s" } }), [
      'prod: prometheus.scrapeInterval: "0s" must be a positive duration (like 30s or 1m)',
    ]);
  });

  it("rejects replicas of 0 and fractional replicas", () => {
    assert.deepEqual(problemsOf({ ...minimal, prometheus: { replicas: 0 } }), [
      "prod: prometheus.replicas: 0 is too few; at least 1 replica is required",
    ]);
    assert.deepEqual(problemsOf({ ...minimal, alertmanager: { replicas: 1.5 } }), [
      "prod: alertmanager.replicas: 1.5 is not a whole number of replicas",
    ]);
  });

  it("rejects a typo'd key and lists the keys it could have meant", () => {
    const [problem] = problemsOf({ ...minimal, prometheus: { retension: "15d" } });
    assert.match(
      problem,
      /^prod: prometheus\.retension: unknown key; did you mean retention\? Expected one of: replicas, retention, /,
    );
  });

  it("rejects unknown top-level and nested resource keys", () => {
    assert.deepEqual(
      problemsOf({
        ...minimal,
        thanoss: {},
        operator: { resources: { requests: { cpu: "1", memory: "1Gi", gpu: 1 }, limits: { memory: "1Gi" } } },
      }),
      [
        "prod: operator.resources.requests.gpu: unknown key; did you mean cpu? Expected one of: cpu, memory",
        "prod: thanoss: unknown key; did you mean thanos? Expected one of: cluster, environment, clusterName, namespace, prometheus, " +
          "alertmanager, grafana, operator, kubeStateMetrics, nodeExporter, security, thanos, remoteWrite, federation, " +
          "alerting, ruleFiles, apps, teams, pushgateway, blackboxExporter, webAccess",
      ],
    );
  });

  it("requires environment and clusterName", () => {
    assert.deepEqual(problemsOf({}), [
      "prod: environment: is required (expected dev or prod)",
      "prod: clusterName: is required (expected string)",
    ]);
  });

  it("rejects an unknown environment and a cluster name that is not a DNS label", () => {
    assert.deepEqual(problemsOf({ environment: "staging", clusterName: "Prod_1" }), [
      'prod: environment: "staging" is not an environment; expected dev or prod',
      "prod: clusterName: \"Prod_1\" is not a DNS label (lower-case letters, digits and '-', at most 63 characters)",
    ]);
  });

  it("rejects requests above limits and malformed quantities", () => {
    assert.deepEqual(
      problemsOf({
        ...minimal,
        prometheus: {
          resources: { requests: { cpu: "3", memory: "8Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        },
        grafana: { resources: { requests: { cpu: "1 core", memory: "1GB" }, limits: { memory: "1Gi" } } },
      }),
      [
        "prod: prometheus.resources.requests.memory: 8Gi is more than limits.memory 4Gi",
        "prod: prometheus.resources.requests.cpu: 3 is more than limits.cpu 2",
        'prod: grafana.resources.requests.cpu: "1 core" is not a Kubernetes CPU quantity (like 500m or 2)',
        'prod: grafana.resources.requests.memory: "1GB" is not a Kubernetes byte quantity (like 50Gi or 512Mi)',
        "prod: prometheus.resources.requests.memory: 8Gi must equal limits.memory 4Gi in prod (Guaranteed memory, never evicted first)",
      ],
    );
  });

  it("rejects a retentionSize that leaves no room on the volume", () => {
    assert.deepEqual(
      problemsOf({ ...minimal, prometheus: { storageSize: "50Gi", retentionSize: "48GiB" } }),
      [
        "prod: prometheus.retentionSize: 48GiB is more than 90% of prometheus.storageSize 50Gi; " +
          "keep it below so Prometheus deletes old blocks before the disk fills",
      ],
    );
    assert.deepEqual(problemsOf({ ...minimal, prometheus: { retentionSize: "45 GB" } }), [
      'prod: prometheus.retentionSize: "45 GB" is not a Prometheus byte size (like 45GiB or 500MiB)',
    ]);
  });

  it("rejects a root UID", () => {
    assert.deepEqual(problemsOf({ ...minimal, security: { runAsUser: 0 } }), [
      "prod: security.runAsUser: 0 would run as root; use a non-zero UID",
    ]);
  });

  it("never shows the value of a secret key in a message", () => {
    const problems = problemsOf({ ...minimal, clusterName: "Hunter2-Secret" }, ["clusterName"]);
    assert.deepEqual(problems, [
      "prod: clusterName: [secret] is not a DNS label (lower-case letters, digits and '-', at most 63 characters)",
    ]);
    assert.ok(!problems.join("\n").includes("Hunter2"));
  });

  it("reports every problem at once, one line each", () => {
    assert.equal(
      problemsOf({ environment: "qa", clusterName: "x", prometheus: { replicas: 0, retention: "1 day" } })
        .length,
      3,
    );
  });

  it("reads Pulumi's flat config map: objects as JSON, scalars as text, other namespaces ignored", () => {
    assert.deepEqual(
      rawConfigFrom({
        "kube-monitoring:environment": "dev",
        "kube-monitoring:prometheus": '{"replicas":1}',
        "aws:region": "eu-west-1",
      }),
      { environment: "dev", prometheus: { replicas: 1 } },
    );
  });
});

describe("the Prometheus pod's memory in prod", () => {
  const thanos = {
    enabled: true,
    region: "eu-west-1",
    auth: { mode: "accessKey" },
  };
  it("refuses a Thanos sidecar whose memory request is below its limit, naming the key", () => {
    const sidecar = {
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    };
    assert.deepEqual(problemsOf({ ...minimal, environment: "prod", thanos: { ...thanos, sidecar } }), [
      "prod: thanos.sidecar.resources.requests.memory: 128Mi must equal limits.memory 512Mi in prod: the sidecar is in the Prometheus pod, whose memory is guaranteed",
    ]);
    // The default is guaranteed; dev may leave it Burstable.
    assert.doesNotThrow(() => parseStackConfig("test", { ...minimal, environment: "prod", thanos }));
    assert.doesNotThrow(() =>
      parseStackConfig("test", { ...minimal, environment: "dev", thanos: { ...thanos, sidecar } }),
    );
  });
});
