import { strict as assert } from "node:assert";
import type { Loose } from "./helpers/plan";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  KubePrometheusStackValuesInput,
  antiAffinityFor,
  buildKubePrometheusStackValues,
  buildOperatorCrdsValues,
  eksControlPlaneMonitorSpec,
  monitoringNetworkPolicies,
  kubePrometheusStackArgsFrom,
  parseStackConfig,
  remoteWriteEntry,
  storageClassSpec,
} from "../components";
import { KeyStructure, unknownKeyPaths, withSubcharts } from "./helpers/chartKeys";

const fixtures = path.join(__dirname, "fixtures");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(fixtures, file), "utf8"));
const subcharts = readJson("subchart-keys.json");
const chartKeys = withSubcharts(readJson("kube-prometheus-stack-88.5.3.keys.json"), {
  grafana: subcharts.grafana,
  "kube-state-metrics": subcharts["kube-state-metrics"],
  "prometheus-node-exporter": subcharts["prometheus-node-exporter"],
  // Keys the parent's templates read that its values.yaml only mentions in comments.
  prometheusOperator: subcharts.prometheusOperator,
});

function argsFor(raw: Record<string, unknown> = {}): KubePrometheusStackValuesInput {
  return kubePrometheusStackArgsFrom(
    parseStackConfig("test", { environment: "prod", clusterName: "prod-1", ...raw }),
  );
}

type Values = Record<string, Record<string, Record<string, unknown>>>;
const valuesFor = (raw: Record<string, unknown> = {}) =>
  buildKubePrometheusStackValues(argsFor(raw)) as unknown as Values;

describe("kube-prometheus-stack values", () => {
  it("runs Prometheus HA: replicas, hard anti-affinity, PDB, replica and cluster labels", () => {
    const values = valuesFor();
    const spec = values.prometheus.prometheusSpec as Record<string, unknown>;
    assert.equal(spec.replicas, 2);
    assert.equal(spec.podAntiAffinity, "hard");
    assert.equal(spec.podAntiAffinityTopologyKey, "kubernetes.io/hostname");
    assert.deepEqual(values.prometheus.podDisruptionBudget, { enabled: true, minAvailable: 1 });
    assert.deepEqual(spec.externalLabels, { cluster: "prod-1" });
    // Thanos Query deduplicates on this label (its --query.replica-label, asserted in the Thanos spec).
    assert.equal(spec.replicaExternalLabelName, "prometheus_replica");
  });

  it("uses soft anti-affinity and no PDB for a single replica", () => {
    assert.equal(antiAffinityFor(1), "soft");
    assert.equal(antiAffinityFor(3), "hard");
    const values = valuesFor({ prometheus: { replicas: 1 }, alertmanager: { replicas: 1 } });
    assert.equal(values.prometheus.prometheusSpec.podAntiAffinity, "soft");
    assert.deepEqual(values.prometheus.podDisruptionBudget, { enabled: false, minAvailable: 1 });
    assert.equal(values.alertmanager.alertmanagerSpec.podAntiAffinity, "soft");
  });

  it("sets retention, derived retentionSize and a retained persistent volume", () => {
    const spec = valuesFor({ prometheus: { expectedActiveSeries: 100000, storageClass: "fast-ssd" } })
      .prometheus.prometheusSpec;
    assert.equal(spec.retention, "15d");
    // Chunks, index and WAL of 100k series for 15d (see the capacity spec).
    assert.equal(spec.retentionSize, "10GiB");
    assert.equal(spec.walCompression, true);
    assert.deepEqual(spec.storageSpec, {
      volumeClaimTemplate: {
        spec: {
          storageClassName: "fast-ssd",
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "13Gi" } },
        },
      },
    });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  });

  it("leaves storageClassName out when the stack names none, so the cluster default applies", () => {
    const spec = valuesFor().prometheus.prometheusSpec as {
      storageSpec: { volumeClaimTemplate: { spec: object } };
    };
    assert.ok(!("storageClassName" in spec.storageSpec.volumeClaimTemplate.spec));
  });

  it("picks up monitors and rules from every namespace", () => {
    const spec = valuesFor().prometheus.prometheusSpec;
    for (const key of [
      "serviceMonitorSelectorNilUsesHelmValues",
      "podMonitorSelectorNilUsesHelmValues",
      "probeSelectorNilUsesHelmValues",
      "ruleSelectorNilUsesHelmValues",
      "scrapeConfigSelectorNilUsesHelmValues",
    ]) {
      assert.equal(spec[key], false, key);
    }
    assert.deepEqual(valuesFor().alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy, {
      type: "OnNamespace",
    });
    for (const key of ["serviceMonitor", "podMonitor", "probe", "rule", "scrapeConfig"]) {
      assert.deepEqual(spec[`${key}NamespaceSelector`], {}, key);
    }
    const am = valuesFor().alertmanager.alertmanagerSpec;
    // Every AlertmanagerConfig in every namespace but the platform's own, which is the base configuration.
    assert.deepEqual(am.alertmanagerConfigSelector, {
      matchExpressions: [{ key: "kube-monitoring.io/alertmanager-global", operator: "DoesNotExist" }],
    });
    assert.deepEqual(am.alertmanagerConfigNamespaceSelector, {});
    assert.deepEqual(am.alertmanagerConfiguration, { name: "platform", global: { resolveTimeout: "5m" } });
  });

  it("gives requests and limits to every component the chart runs", () => {
    const v = valuesFor() as unknown as Loose;
    const sidecar = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } };
    assert.deepEqual(v.prometheus.prometheusSpec.resources, {
      requests: { cpu: "1", memory: "4Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });
    assert.deepEqual(v.alertmanager.alertmanagerSpec.resources, {
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "200m", memory: "256Mi" },
    });
    assert.deepEqual(v.prometheusOperator.resources, {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
    assert.deepEqual(v.prometheusOperator.prometheusConfigReloader.resources, {
      requests: { cpu: "10m", memory: "64Mi" },
      limits: { cpu: "100m", memory: "64Mi" },
    });
    assert.deepEqual(v.prometheusOperator.admissionWebhooks.patch.resources, sidecar);
    assert.deepEqual(v.grafana.resources, {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
    assert.deepEqual(v.grafana.sidecar.resources, sidecar);
    assert.deepEqual(v["kube-state-metrics"].resources, {
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "200m", memory: "512Mi" },
    });
    assert.deepEqual(v["prometheus-node-exporter"].resources, {
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "250m", memory: "128Mi" },
    });
    assert.deepEqual(v.windowsMonitoring, { enabled: false });
  });

  it("runs Prometheus and Alertmanager as a fixed non-root user", () => {
    const values = valuesFor({ security: { runAsUser: 65534, fsGroup: 65534 } });
    const expected = {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 2000,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    };
    assert.deepEqual(values.prometheus.prometheusSpec.securityContext, expected);
    assert.deepEqual(values.alertmanager.alertmanagerSpec.securityContext, expected);
  });

  it("keeps CRDs out of the chart and Grafana's password in our Secret", () => {
    const values = valuesFor() as Record<string, unknown> as Record<string, Record<string, unknown>>;
    assert.deepEqual(values.crds, { enabled: false });
    assert.deepEqual(values.grafana.admin, {
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    assert.ok(!("adminPassword" in values.grafana));
  });

  it("serves HTTPS from the named TLS Secret and makes every client verify it", () => {
    const v = valuesFor({ security: { webTlsSecretName: "monitoring-tls" } }) as Loose;
    const serving = {
      tlsConfig: {
        cert: { secret: { name: "monitoring-tls", key: "tls.crt" } },
        keySecret: { name: "monitoring-tls", key: "tls.key" },
      },
    };
    assert.deepEqual(v.prometheus.prometheusSpec.web, serving);
    assert.deepEqual(v.alertmanager.alertmanagerSpec.web, serving);
    const ca = { secret: { name: "monitoring-tls", key: "ca.crt" } };
    assert.deepEqual(v.alertmanager.alertmanagerSpec.tlsConfig, {
      ca,
      serverName: "kps-alertmanager.monitoring.svc",
    });
    assert.equal(v.alertmanager.alertmanagerSpec.scheme, "https");
    assert.deepEqual(v.prometheus.serviceMonitor, {
      sampleLimit: 16000,
      scheme: "https",
      tlsConfig: { ca, serverName: "kps-prometheus.monitoring.svc" },
    });
    assert.equal(v.grafana.sidecar.datasources.defaultDatasourceEnabled, false);
    assert.equal(v.grafana.additionalDataSources[0].url, "https://kps-prometheus.monitoring.svc:9090/");
    assert.equal(
      v.grafana.additionalDataSources[0].secureJsonData.tlsCACert,
      "$__file{/etc/secrets/prometheus-web-tls/ca.crt}",
    );
    assert.equal(v.grafana.extraSecretMounts[0].secretName, "monitoring-tls");
  });

  it("serves plain HTTP when no TLS Secret is named", () => {
    const v = valuesFor();
    assert.ok(!("web" in v.prometheus.prometheusSpec));
    assert.deepEqual(v.prometheus.serviceMonitor, { sampleLimit: 16000 });
  });

  it("sets only key paths that exist in the pinned chart", () => {
    for (const raw of [{}, { security: { webTlsSecretName: "tls" }, prometheus: { storageClass: "ssd" } }]) {
      assert.deepEqual(unknownKeyPaths(valuesFor(raw), chartKeys), []);
    }
    assert.deepEqual(unknownKeyPaths(buildOperatorCrdsValues(), subcharts["prometheus-operator-crds"]), []);
  });

  it("has a key check that catches a typo", () => {
    const typo = { prometheus: { prometheusSpec: { retension: "15d", storageSpec: { anything: 1 } } } };
    assert.deepEqual(unknownKeyPaths(typo, chartKeys as KeyStructure), [
      "prometheus.prometheusSpec.retension",
    ]);
  });
});

describe("kube-prometheus-stack on EKS and elsewhere", () => {
  it("turns off the control-plane monitors and their rules on EKS, and keeps them on other clusters", () => {
    const eks = valuesFor({ cluster: { provider: "eks" } }) as unknown as Values & Record<string, Loose>;
    assert.deepEqual(
      [eks.kubeScheduler, eks.kubeControllerManager, eks.kubeEtcd, eks.kubeProxy],
      [{ enabled: false }, { enabled: false }, { enabled: false }, { enabled: false }],
    );
    assert.deepEqual(eks.defaultRules.rules, {
      kubeSchedulerAlerting: false,
      kubeSchedulerRecording: false,
      kubeControllerManager: false,
      etcd: false,
      kubeProxy: false,
    });
    const generic = valuesFor() as unknown as Values & Record<string, Loose>;
    assert.deepEqual(
      [generic.kubeScheduler, generic.kubeEtcd, generic.kubeProxy, generic.defaultRules.rules.etcd],
      [{ enabled: true }, { enabled: true }, { enabled: true }, true],
    );
  });

  it("scrapes EKS's scheduler and controller-manager endpoints through the API server, as their jobs", () => {
    const spec = eksControlPlaneMonitorSpec();
    assert.deepEqual(
      spec.endpoints.map((e) => [e.path, e.relabelings[0].replacement]),
      [
        ["/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics", "kube-scheduler"],
        ["/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics", "kube-controller-manager"],
      ],
    );
    assert.deepEqual(spec.selector.matchLabels, { component: "apiserver", provider: "kubernetes" });
  });

  it("spreads Prometheus and Alertmanager over zones and gives them the priority class", () => {
    const values = buildKubePrometheusStackValues({
      ...argsFor(),
      priorityClassName: "monitoring-critical",
    }) as unknown as Values;
    const prom = values.prometheus.prometheusSpec as Loose;
    assert.deepEqual(prom.topologySpreadConstraints, [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: {
          matchLabels: { "app.kubernetes.io/name": "prometheus", prometheus: "kps-prometheus" },
        },
      },
    ]);
    assert.equal(prom.priorityClassName, "monitoring-critical");
    // Every workload the chart runs: the operator, its webhook job, Grafana, kube-state-metrics, and the
    // node exporter at the node-critical level of per-node agents.
    const v = values as unknown as Loose;
    assert.deepEqual(
      [
        v.alertmanager.alertmanagerSpec.priorityClassName,
        v.prometheusOperator.priorityClassName,
        v.prometheusOperator.admissionWebhooks.patch.priorityClassName,
        v.grafana.priorityClassName,
        v["kube-state-metrics"].priorityClassName,
        v["prometheus-node-exporter"].priorityClassName,
      ],
      [...Array(5).fill("monitoring-critical"), "system-node-critical"],
    );
    const am = values.alertmanager.alertmanagerSpec as Loose;
    assert.equal(am.topologySpreadConstraints[0].labelSelector.matchLabels.alertmanager, "kps-alertmanager");
    assert.deepEqual(
      (valuesFor({ prometheus: { replicas: 1 } }).prometheus.prometheusSpec as Loose)
        .topologySpreadConstraints,
      [],
    );
  });

  it("renames the replica label to __replica__ only for AMP targets", () => {
    const amp = remoteWriteEntry({
      name: "amp",
      url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
      auth: { type: "sigv4", region: "eu-west-1" },
      writeRelabelConfigs: [],
    } as never);
    assert.deepEqual(amp.writeRelabelConfigs, [
      { sourceLabels: ["prometheus_replica"], targetLabel: "__replica__", action: "replace" },
      { regex: "prometheus_replica", action: "labeldrop" },
    ]);
    const other = remoteWriteEntry({
      name: "mimir",
      url: "https://mimir.example.com/api/v1/push",
      auth: { type: "none" },
      writeRelabelConfigs: [],
    } as never);
    assert.equal(other.writeRelabelConfigs, undefined);
  });

  it("creates an encrypted, zone-aware, expandable gp3 class that keeps its volumes", () => {
    assert.deepEqual(storageClassSpec("arn:aws:kms:eu-west-1:123456789012:key/k"), {
      provisioner: "ebs.csi.aws.com",
      parameters: {
        type: "gp3",
        encrypted: "true",
        fsType: "ext4",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
      },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Retain",
    });
  });
});

describe("monitoring NetworkPolicies", () => {
  it("lets only Thanos Query reach the gRPC store API, pushers the Pushgateway, the namespace the web ports", () => {
    const policies = monitoringNetworkPolicies({ namespace: "monitoring", thanos: true, pushgateway: true });
    const byName = Object.fromEntries(policies.map((p) => [p.name, p]));
    const ns = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
    const query = { podSelector: { matchLabels: { "app.kubernetes.io/name": "thanos-query" } } };
    assert.deepEqual(byName["thanos-store"].ingress, [
      { from: [query], ports: [{ port: 10901, protocol: "TCP" }] },
      { from: [ns], ports: [{ port: 10902, protocol: "TCP" }] },
    ]);
    assert.deepEqual(byName.prometheus.ingress[1], {
      from: [query],
      ports: [{ port: 10901, protocol: "TCP" }],
    });
    assert.deepEqual(byName.pushgateway.ingress, [
      {
        from: [
          ns,
          { namespaceSelector: { matchLabels: { "kube-monitoring.io/pushgateway-client": "true" } } },
        ],
        ports: [{ port: 9091, protocol: "TCP" }],
      },
    ]);
    assert.deepEqual(
      monitoringNetworkPolicies({ namespace: "monitoring", thanos: false, pushgateway: false }).map(
        (p) => p.name,
      ),
      ["prometheus", "alertmanager"],
    );
    // Without Thanos nobody may reach the sidecar port at all.
    assert.deepEqual(
      monitoringNetworkPolicies({ namespace: "monitoring", thanos: false, pushgateway: false })[0].ingress,
      [{ from: [ns], ports: [9090, 8080].map((port) => ({ port, protocol: "TCP" })) }],
    );
  });

  it("needs an AWS identity for SigV4 remote write: its own role, or Thanos on IRSA", () => {
    const raw = {
      remoteWrite: [
        {
          name: "amp",
          url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
          auth: { type: "sigv4", region: "eu-west-1" },
        },
      ],
    };
    assert.throws(
      () => parseStackConfig("test", { environment: "dev", clusterName: "c", ...raw }),
      /test: remoteWrite\[0\]\.auth\.roleArn: is required for sigv4 here: Prometheus has no AWS identity without it/,
    );
  });
});
