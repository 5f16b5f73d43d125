/**
 * Every chart and image version the program deploys, pinned in one place.
 *
 * The operator CRDs must match the operator the kube-prometheus-stack chart runs:
 * kube-prometheus-stack 88.5.3 ships prometheus-operator v0.93.1, and
 * prometheus-operator-crds 31.0.1 is the CRD chart cut for v0.93.1.
 */
export const versions = {
  kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", operator: "v0.93.1" },
  operatorCrds: { chart: "prometheus-operator-crds", version: "31.0.1", operator: "v0.93.1" },
  // The Thanos release the operator v0.93.1 uses for its sidecar; query, store and compactor match it.
  thanos: { image: "quay.io/thanos/thanos", version: "v0.42.4" },
  blackboxExporter: { chart: "prometheus-blackbox-exporter", version: "11.21.1" },
  pushgateway: { chart: "prometheus-pushgateway", version: "3.11.1" },
} as const;

export const thanosImage = `${versions.thanos.image}:${versions.thanos.version}`;

/** The Helm repository both prometheus-community charts come from. */
export const prometheusCommunityRepo = "https://prometheus-community.github.io/helm-charts";
