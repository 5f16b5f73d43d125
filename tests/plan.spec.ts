import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { stackFileLocator } from "../components/configLocation";
import { readSecureLeafPaths } from "../components/stackSecrets";
import { manifestsOf } from "../plan/plan";
import { SECRET, redactSerialized } from "../plan/runtime";
import { SECRET_PLACEHOLDER, loadStackFile } from "../plan/stackFile";
import { HELM_RELEASE, planOf, planWithConfig, resource, writeConfigDir, Loose } from "./helpers/plan";
import * as pulumi from "@pulumi/pulumi";

const CRDS =
  "urn:pulumi:%s::kube-monitoring::kube-monitoring:crds:OperatorCrds$kubernetes:helm.sh/v3:Release::crds-release";

const foundation = (stack: string) => [
  "kube-monitoring:crds:OperatorCrds::crds",
  "kube-monitoring:monitoring:KubePrometheusStack::kps",
  "kubernetes:core/v1:Namespace::kps-namespace",
  "kubernetes:core/v1:Secret::kps-grafana-admin",
  `${HELM_RELEASE}::crds-release`,
  `${HELM_RELEASE}::kps-release`,
  `pulumi:pulumi:Stack::kube-monitoring-${stack}`,
  "random:index/randomPassword:RandomPassword::kps-grafana-admin",
  "kube-monitoring:alerting:PlatformAlerting::alerting",
  "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig::alerting-routing",
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule::alerting-rules",
  "kube-monitoring:cluster:ClusterBase::cluster",
  "kubernetes:scheduling.k8s.io/v1:PriorityClass::cluster-priority",
  "kube-monitoring:network:MonitoringNetworkPolicies::network",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-prometheus",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-alertmanager",
  "kube-monitoring:grafana:GrafanaDashboards::dashboards",
  "kubernetes:core/v1:ConfigMap::dashboards-kube-monitoring-capacity",
  "kubernetes:core/v1:ConfigMap::dashboards-platform-alertmanager",
  // Both register a team: Grafana's sidecars read ConfigMaps in every namespace, and nothing else.
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::kps-grafana-sidecar",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding::kps-grafana-sidecar",
];

const thanosResources = [
  "kubernetes:core/v1:ConfigMap::dashboards-kube-monitoring-thanos",
  "kube-monitoring:thanos:ThanosObjectStore::thanos-objstore",
  "aws:s3/bucket:Bucket::thanos-objstore-bucket",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls::thanos-objstore-ownership",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::thanos-objstore-public-access",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::thanos-objstore-encryption",
  "aws:s3/bucketVersioning:BucketVersioning::thanos-objstore-versioning",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::thanos-objstore-lifecycle",
  "aws:s3/bucketPolicy:BucketPolicy::thanos-objstore-tls-only",
  "aws:iam/role:Role::thanos-objstore-sidecar",
  "aws:iam/role:Role::thanos-objstore-store",
  "aws:iam/role:Role::thanos-objstore-compactor",
  "aws:iam/rolePolicy:RolePolicy::thanos-objstore-sidecar-bucket",
  "aws:iam/rolePolicy:RolePolicy::thanos-objstore-store-bucket",
  "aws:iam/rolePolicy:RolePolicy::thanos-objstore-compactor-bucket",
  "aws:iam/rolePolicy:RolePolicy::thanos-objstore-remote-write",
  "kubernetes:core/v1:Secret::kps-thanos-objstore",
  "kube-monitoring:thanos:Thanos::thanos",
  "kubernetes:core/v1:ServiceAccount::thanos-query",
  "kubernetes:core/v1:ServiceAccount::thanos-query-frontend",
  "kubernetes:core/v1:ServiceAccount::thanos-store",
  "kubernetes:core/v1:ServiceAccount::thanos-compactor",
  "kubernetes:apps/v1:Deployment::thanos-query",
  "kubernetes:apps/v1:Deployment::thanos-query-frontend",
  "kubernetes:apps/v1:StatefulSet::thanos-store",
  "kubernetes:apps/v1:StatefulSet::thanos-compactor",
  "kubernetes:core/v1:Service::thanos-query",
  "kubernetes:core/v1:Service::thanos-query-frontend",
  "kubernetes:core/v1:Service::thanos-store",
  "kubernetes:core/v1:Service::thanos-compactor",
  "kubernetes:policy/v1:PodDisruptionBudget::thanos-query",
  "kubernetes:policy/v1:PodDisruptionBudget::thanos-query-frontend",
  "kubernetes:policy/v1:PodDisruptionBudget::thanos-store",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::thanos-servicemonitor",
  // EKS: the stack's StorageClass, and the control plane scraped where EKS serves its metrics.
  "kubernetes:storage.k8s.io/v1:StorageClass::cluster-storage",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::kps-eks-control-plane",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::kps-eks-control-plane",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding::kps-eks-control-plane",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-thanos-store",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-thanos-query",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-thanos-query-frontend",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-thanos-compactor",
  // People reach Prometheus, Alertmanager and Thanos Query through signed-in internal ALBs.
  "kube-monitoring:network:WebIngresses::web",
  "kubernetes:networking.k8s.io/v1:Ingress::web-prometheus",
  "kubernetes:networking.k8s.io/v1:Ingress::web-alertmanager",
  "kubernetes:networking.k8s.io/v1:Ingress::web-thanos-query",
];

const devAppResources = [
  "kube-monitoring:apps:AppMonitoring::app-rust-app",
  "kubernetes:core/v1:Namespace::app-rust-app-namespace",
  "kubernetes:apps/v1:Deployment::app-rust-app-deployment",
  "kubernetes:core/v1:Service::app-rust-app-service",
  "kubernetes:core/v1:ConfigMap::app-rust-app-dashboard",
  "kubernetes:core/v1:ConfigMap::dashboards-slo-rust-app-rust-app",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::app-rust-app-servicemonitor",
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule::app-rust-app-rules",
  "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig::app-rust-app-alertmanagerconfig",
  "kubernetes:monitoring.coreos.com/v1:Probe::app-rust-app-probe-health",
  "kube-monitoring:exporters:Exporters::exporters",
  `${HELM_RELEASE}::exporters-blackbox`,
  `${HELM_RELEASE}::exporters-pushgateway`,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy::network-pushgateway",
];

describe("offline plan", () => {
  for (const stack of ["dev", "prod"]) {
    describe(stack, () => {
      it("plans with exit 0 and records every resource", async () => {
        const { exitCode, plan, report } = await planOf(stack);
        assert.equal(exitCode, 0, report);
        assert.deepEqual(
          plan!.violations.filter((v) => v.enforcementLevel === "mandatory"),
          [],
        );
        // dev runs single replicas, on the cluster's default class, with burstable memory and no ingress, on
        // purpose: those policies are advisory there and say so.
        assert.deepEqual(
          plan!.violations.map((v) => `${v.enforcementLevel} ${v.policy}`),
          stack === "dev"
            ? [
                ...Array(4).fill("advisory prometheus-high-availability"),
                "advisory notification-links",
                "advisory notification-links",
                "advisory volumes-name-storage-class",
                "advisory volumes-name-storage-class",
                "advisory volumes-name-storage-class",
                "advisory prometheus-memory-guaranteed",
                "advisory grafana-access",
              ]
            : [],
        );
        const expected = [
          ...foundation(stack),
          ...(stack === "prod" ? thanosResources : devAppResources),
        ].sort();
        assert.deepEqual(plan!.resources.map((r) => `${r.type}::${r.name}`).sort(), expected);
        assert.match(
          report.split("\n").pop()!,
          new RegExp(
            `^${stack}: planned \\(exit 0\\); ${expected.length} to create; 0 mandatory, ${stack === "dev" ? 11 : 0} advisory; checks passed: promtool [\\d.]+, amtool [\\d.]+$`,
          ),
        );
      });

      it("makes the release wait for the CRDs, which are a separate retained release", async () => {
        const { plan } = await planOf(stack);
        const crds = resource(plan, HELM_RELEASE, "crds-release");
        assert.equal(crds.urn, CRDS.replace("%s", stack));
        assert.equal(crds.retainOnDelete, true);
        assert.equal(crds.protect, stack === "prod");
        assert.deepEqual(
          { chart: crds.inputs.chart, version: crds.inputs.version, namespace: crds.inputs.namespace },
          { chart: "prometheus-operator-crds", version: "31.0.1", namespace: "kube-system" },
        );
        const kps = resource(plan, HELM_RELEASE, "kps-release");
        assert.ok(kps.dependsOn.includes(crds.urn), "kps-release must depend on the CRDs");
        assert.equal(
          kps.parent,
          `urn:pulumi:${stack}::kube-monitoring::pulumi:pulumi:Stack$kube-monitoring:monitoring:KubePrometheusStack::kps`,
        );
        assert.deepEqual(
          {
            chart: kps.inputs.chart,
            version: kps.inputs.version,
            name: kps.inputs.name,
            namespace: kps.inputs.namespace,
            atomic: kps.inputs.atomic,
            cleanupOnFail: kps.inputs.cleanupOnFail,
            maxHistory: kps.inputs.maxHistory,
          },
          {
            chart: "kube-prometheus-stack",
            version: "88.5.3",
            name: "kps",
            namespace: "monitoring",
            atomic: true,
            cleanupOnFail: true,
            maxHistory: 10,
          },
        );
      });

      it("keeps the Grafana password secret everywhere it is written", async () => {
        const { plan } = await planOf(stack);
        const secret = resource(plan, "kubernetes:core/v1:Secret", "kps-grafana-admin");
        assert.equal(secret.inputs.stringData, SECRET);
        const text =
          JSON.stringify(plan) +
          manifestsOf(plan!.resources)
            .map((m) => m.yaml)
            .join("\n");
        assert.ok(!text.includes("mock-password"), "the generated password leaked");
        assert.ok(!text.includes(SECRET_PLACEHOLDER), "a secure: config value leaked");
      });
    });
  }

  it("plans dev small and single-replica, prod HA and protected", async () => {
    const values = async (stack: string) =>
      resource((await planOf(stack)).plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
    const dev = await values("dev");
    const prod = await values("prod");
    assert.deepEqual(
      [
        dev.prometheus.prometheusSpec.replicas,
        dev.prometheus.prometheusSpec.retention,
        dev.prometheus.prometheusSpec.retentionSize,
      ],
      [1, "2d", "8GiB"],
    );
    assert.equal(
      dev.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage,
      "10Gi",
    );
    assert.deepEqual(
      [
        prod.prometheus.prometheusSpec.replicas,
        prod.prometheus.prometheusSpec.retention,
        prod.prometheus.prometheusSpec.podAntiAffinity,
      ],
      [2, "6d", "hard"],
    );
    // With Thanos keeping history, 6d locally: 400k series every 30s for 6d is 12.9 GiB of chunks, 6.2 GiB
    // of index (72 uncompacted 2h blocks) and 1.1 GiB of WAL → 21GiB, on a 27Gi volume of the stack's own
    // encrypted gp3 class.
    assert.equal(prod.prometheus.prometheusSpec.retentionSize, "21GiB");
    assert.deepEqual(prod.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec, {
      storageClassName: "monitoring-gp3",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "27Gi" } },
    });
    assert.equal(prod.alertmanager.alertmanagerSpec.replicas, 2);
    const prodNs = resource((await planOf("prod")).plan, "kubernetes:core/v1:Namespace", "kps-namespace");
    assert.deepEqual([prodNs.protect, prodNs.retainOnDelete], [true, true]);
    const devNs = resource((await planOf("dev")).plan, "kubernetes:core/v1:Namespace", "kps-namespace");
    assert.deepEqual([devNs.protect, devNs.retainOnDelete], [false, false]);
  });

  it("exports the derived storage figures and the selectors monitors need", async () => {
    const { plan } = await planOf("prod");
    assert.deepEqual(plan!.outputs.prometheusStorage, {
      retention: "6d",
      retentionSize: "21GiB",
      volumePerReplica: "27Gi",
      derived: { retentionSize: true, volume: true },
      estimatedSamplesPerSecond: 13333,
      expectedActiveSeries: 400000,
      retentionSizeCoversDays: 6,
    });
    assert.deepEqual((plan!.outputs.selectors as Record<string, unknown>).serviceMonitors, {
      labels: {},
      namespaces: "all",
    });
    assert.equal(plan!.outputs.namespace, "monitoring");
    assert.equal(plan!.outputs.operatorVersion, "v0.93.1");
  });

  it("stops at invalid config with exit 1 and the config's own messages", async () => {
    const result = await planWithConfig("broken", {
      "kube-monitoring:environment": "prod",
      "kube-monitoring:clusterName": "prod-1",
      "kube-monitoring:prometheus": { retension: "15d", replicas: 0 },
    });
    assert.equal(result.exitCode, 1);
    assert.equal(result.plan, undefined);
    assert.equal(
      result.report,
      [
        "Pulumi.broken.yaml:6: prometheus.replicas: 0 is too few; at least 1 replica is required",
        "Pulumi.broken.yaml:5: prometheus.retension: unknown key; did you mean retention? Expected one of: replicas, retention, retentionSize, storageSize, " +
          "storageClass, scrapeInterval, evaluationInterval, expectedActiveSeries, walCompression, enforcedSampleLimit, resources, externalUrl, ingress",
      ].join("\n"),
    );
  });

  it("turns secure: values into placeholder secrets and marks their keys secret", () => {
    const dir = writeConfigDir("s", {
      "kube-monitoring:environment": "dev",
      "kube-monitoring:remote": { auth: { password: { secure: "v1:abc" } }, url: "https://x" },
      "kube-monitoring:token": { secure: "v1:def" },
    });
    try {
      const file = loadStackFile(dir, "s");
      assert.equal(file.project, "kube-monitoring");
      assert.deepEqual(file.secretKeys, ["kube-monitoring:remote", "kube-monitoring:token"]);
      assert.equal(file.config["kube-monitoring:token"], SECRET_PLACEHOLDER);
      assert.deepEqual(JSON.parse(file.config["kube-monitoring:remote"]), {
        auth: { password: SECRET_PLACEHOLDER },
        url: "https://x",
      });
      // Pulumi.yaml's project-level default
      assert.equal(file.config["kube-monitoring:namespace"], "monitoring");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses the stack file once for the plan and the program's secret check, for a locator when asked", () => {
    const dir = writeConfigDir("once", {
      "kube-monitoring:environment": "dev",
      "kube-monitoring:remote": { auth: { password: { secure: "v1:abc" } }, url: "https://x" },
    });
    // The module's own exports, which the readers call through (a namespace import is read-only).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require("yaml") as typeof import("yaml");
    const texts: string[] = [];
    const original = yaml.parseAllDocuments;
    yaml.parseAllDocuments = ((text: string, ...rest: []) => {
      texts.push(text);
      return original(text, ...rest);
    }) as typeof yaml.parseAllDocuments;
    try {
      const stackText = fs.readFileSync(path.join(dir, "Pulumi.once.yaml"), "utf8");
      const parses = () => texts.filter((t) => t === stackText).length;
      assert.equal(loadStackFile(dir, "once").secretKeys[0], "kube-monitoring:remote");
      assert.deepEqual([...readSecureLeafPaths(dir, "once", "kube-monitoring")!], ["remote.auth.password"]);
      const locate = stackFileLocator(dir, "once")!;
      const unasked = stackFileLocator(dir, "once")!;
      assert.equal(parses(), 1);
      assert.equal(locate(["remote", "url"]), "Pulumi.once.yaml:7");
      assert.equal(locate(["environment"]), "Pulumi.once.yaml:2");
      assert.equal(parses(), 2);
      assert.equal(typeof unasked, "function");
      // Another text is parsed afresh: what it says, not what the last one said.
      fs.writeFileSync(path.join(dir, "Pulumi.once.yaml"), "config:\n  kube-monitoring:environment: prod\n");
      assert.equal(loadStackFile(dir, "once").config["kube-monitoring:environment"], "prod");
      assert.deepEqual([...readSecureLeafPaths(dir, "once", "kube-monitoring")!], []);
      assert.equal(stackFileLocator(dir, "once")!(["remote"]), undefined);
      assert.equal(stackFileLocator(dir, "once")!(["environment"]), "Pulumi.once.yaml:2");
    } finally {
      yaml.parseAllDocuments = original;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("redacts secrets, unknowns and resource references in recorded inputs", () => {
    const sig = pulumi.runtime.specialSigKey;
    assert.deepEqual(
      redactSerialized({
        a: { [sig]: pulumi.runtime.specialSecretSig, value: "hunter2" },
        b: pulumi.runtime.unknownValue,
        c: [{ [sig]: pulumi.runtime.specialResourceSig, urn: "urn:x", id: "i" }],
        d: { nested: 1 },
      }),
      { a: SECRET, b: "[unknown]", c: ["urn:x"], d: { nested: 1 } },
    );
  });
});
