/**
 * Issue 27, point 2: the Thanos read path. A query-frontend in front of Query that Grafana reads, the
 * store gateway's limits and caches from the capacity model, Query's timeout and concurrency, and the
 * compactor's opt-in replica deduplication; pinned on the prod, everything and generic fixtures.
 */
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { ConfigError, parseStackConfig, thanosArgs } from "../components";
import { expectedBucket, planStoreGateway } from "../components/capacity";
import { responseCacheConfig } from "../components/thanosArgs";
import type { Plan } from "../plan/plan";
import { HELM_RELEASE, Loose, planOf, resource } from "./helpers/plan";

const oidc = {
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
  oidcProviderUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
};
const thanosOn = { enabled: true, region: "eu-west-1", auth: oidc };

function problemsOf(environment: string, thanos: Record<string, unknown>): string[] {
  try {
    parseStackConfig(environment, { environment, clusterName: "c-1", thanos: { ...thanosOn, ...thanos } });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const SERVICE = "kubernetes:core/v1:Service";
const argsOf = (plan: Plan, type: string, name: string): string[] =>
  (resource(plan, type, name).inputs as Loose).spec.template.spec.containers[0].args;

/** The Service and port an in-cluster URL `http://<svc>.<ns>.svc:<port>` names, from the plan. */
function serviceOf(plan: Plan, url: string): { name: string; port: Loose; selector: Loose } {
  const m = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)\/?$/.exec(url);
  assert.ok(m, `${url} is not an in-cluster Service URL`);
  const svc = plan.resources.find(
    (r) =>
      r.type === SERVICE &&
      (r.inputs as Loose).metadata.name === m[1] &&
      (r.inputs as Loose).metadata.namespace === m[2],
  );
  assert.ok(svc, `${url}: no Service ${m[2]}/${m[1]} in the plan`);
  const spec = (svc.inputs as Loose).spec;
  const port = spec.ports.find((p: Loose) => p.port === Number(m[3]));
  assert.ok(port, `${url}: Service ${m[1]} has no port ${m[3]}`);
  return { name: m[1], port, selector: spec.selector };
}

/** Grafana's Thanos datasource, from the chart's values or a provisioned ConfigMap. */
function thanosDatasource(plan: Plan): Loose {
  const values = resource(plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
  const inValues = (values.grafana.additionalDataSources ?? []) as Loose[];
  const fromConfigMaps = plan.resources
    .filter((r) => r.type === "kubernetes:core/v1:ConfigMap")
    .flatMap((r) => Object.values(((r.inputs as Loose).data ?? {}) as Record<string, string>))
    .flatMap((text) => ((parse(text) as Loose)?.datasources ?? []) as Loose[]);
  const found = [...inValues, ...fromConfigMaps].filter((d) => d.uid === "thanos");
  assert.equal(found.length, 1, "exactly one Thanos datasource");
  return found[0];
}

describe("thanos read path on prod", () => {
  it("puts a query-frontend in front of Query, split by day with an in-memory result cache", async () => {
    const { plan } = await planOf("prod");
    assert.deepEqual(argsOf(plan!, DEPLOYMENT, "thanos-query-frontend"), [
      "query-frontend",
      "--http-address=0.0.0.0:10902",
      "--log.format=logfmt",
      "--query-frontend.downstream-url=http://thanos-query.monitoring.svc:10902",
      "--query-range.split-interval=24h",
      "--query-range.response-cache-config=type: IN-MEMORY\nconfig:\n  max_size: 512MB\n",
      "--query-frontend.compress-responses",
    ]);
    const deployment = resource(plan, DEPLOYMENT, "thanos-query-frontend").inputs as Loose;
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.template.spec.volumes.length, 0, "the frontend never reads the bucket");
    assert.equal(
      resource(plan, "kubernetes:core/v1:ServiceAccount", "thanos-query-frontend").inputs
        .automountServiceAccountToken,
      false,
    );
  });

  it("sends Grafana's Thanos datasource to the frontend's Service, and the frontend to Query's", async () => {
    const { plan } = await planOf("prod");
    const datasource = thanosDatasource(plan!);
    assert.equal(datasource.isDefault, true);
    const frontend = serviceOf(plan!, datasource.url);
    assert.equal(frontend.name, "thanos-query-frontend");
    assert.deepEqual(frontend.port, { name: "http", port: 10902, targetPort: "http" });
    const pods = (resource(plan, DEPLOYMENT, "thanos-query-frontend").inputs as Loose).spec.template;
    for (const [k, v] of Object.entries(frontend.selector)) assert.equal(pods.metadata.labels[k], v);

    const downstream = argsOf(plan!, DEPLOYMENT, "thanos-query-frontend")
      .find((a) => a.startsWith("--query-frontend.downstream-url="))!
      .split("=")[1];
    const query = serviceOf(plan!, downstream);
    assert.equal(query.name, "thanos-query");
    const queryPods = (resource(plan, DEPLOYMENT, "thanos-query").inputs as Loose).spec.template;
    for (const [k, v] of Object.entries(query.selector)) assert.equal(queryPods.metadata.labels[k], v);
    const http = queryPods.spec.containers[0].ports.find((p: Loose) => p.name === query.port.targetPort);
    assert.equal(http.containerPort, 10902);
  });

  it("lets the frontend's pods through Query's NetworkPolicy by name", async () => {
    const { plan } = await planOf("prod");
    const np = resource(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "network-thanos-query")
      .inputs as Loose;
    assert.deepEqual(np.spec.ingress[1], {
      from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "thanos-query-frontend" } } }],
      ports: [{ port: 10902, protocol: "TCP" }],
    });
  });

  it("times out and queues queries in Query", async () => {
    const { plan } = await planOf("prod");
    assert.deepEqual(argsOf(plan!, DEPLOYMENT, "thanos-query").slice(-2), [
      "--query.timeout=2m",
      "--query.max-concurrent=20",
    ]);
  });

  it("limits the store gateway and sizes its caches from 400k series on two replicas", async () => {
    const { plan } = await planOf("prod");
    assert.deepEqual(argsOf(plan!, STATEFULSET, "thanos-store").slice(4, 9), [
      // 400,000 series × 2 streams.
      "--store.limits.request-series=800000",
      // Half of the 4Gi limit, over 20 concurrent requests, at 2 B a sample.
      "--store.limits.request-samples=53687091",
      "--store.grpc.series-max-concurrency=20",
      // The hot index (4254MiB) and a day of chunks (4394MiB) are above a quarter of 4Gi: capped.
      "--index-cache.config=type: IN-MEMORY\nconfig:\n  max_size: 1024MB\n",
      "--store.caching-bucket.config=type: IN-MEMORY\nconfig:\n  max_size: 1024MB\n",
    ]);
  });

  it("keeps both replicas' blocks: no compactor deduplication unless asked", async () => {
    const { plan } = await planOf("prod");
    const args = argsOf(plan!, STATEFULSET, "thanos-compactor");
    assert.deepEqual(
      args.filter((a) => a.startsWith("--deduplication")),
      [],
    );
  });

  it("alerts on the frontend's errors and cache hit rate in the Thanos group", async () => {
    const { plan } = await planOf("prod");
    const rule = plan!.resources.find(
      (r) =>
        r.inputs.kind === "PrometheusRule" &&
        (r.inputs as Loose).metadata.name === "kube-monitoring-platform",
    )!;
    const group = (rule.inputs as Loose).spec.groups.find((g: Loose) => g.name === "kube-monitoring.thanos");
    const alerts = group.rules.map((r: Loose) => r.alert);
    assert.deepEqual(alerts.slice(0, 2), [
      "ThanosQueryFrontendErrorRate",
      "ThanosQueryFrontendCacheHitRateLow",
    ]);
  });
});

describe("thanos read path on the other fixtures", () => {
  it("sizes everything's store gateway for 1.2M series on three replicas", async () => {
    const { plan } = await planOf("everything");
    const args = argsOf(plan!, STATEFULSET, "thanos-store");
    assert.ok(args.includes("--store.limits.request-series=3600000"));
    assert.ok(args.includes("--store.limits.request-samples=53687091"));
  });

  it("sizes generic's caches from its load: 200k series on two replicas, default interval", async () => {
    const { plan } = await planOf("generic");
    const args = argsOf(plan!, STATEFULSET, "thanos-store");
    assert.ok(args.includes("--store.limits.request-series=400000"));
    assert.ok(args.includes("--index-cache.config=type: IN-MEMORY\nconfig:\n  max_size: 1024MB\n"));
  });
});

describe("thanos read path flags", () => {
  const config = (thanos: Record<string, unknown>) =>
    parseStackConfig("prod", {
      environment: "prod",
      clusterName: "p-1",
      prometheus: { expectedActiveSeries: 20000 },
      thanos: { ...thanosOn, ...thanos },
    }).thanos;
  const flags = (thanos: Record<string, unknown>) => ({
    config: config(thanos),
    replicaLabel: "prometheus_replica",
    sidecarService: "kps-thanos-discovery",
  });

  it("caches results in memcached or Redis when configured", () => {
    assert.equal(
      responseCacheConfig({ type: "memcached", addresses: ["memcached.cache.svc:11211"] }),
      "type: MEMCACHED\nconfig:\n  addresses:\n    - memcached.cache.svc:11211\n",
    );
    assert.equal(
      responseCacheConfig({ type: "redis", address: "redis.cache.svc:6379" }),
      "type: REDIS\nconfig:\n  addr: redis.cache.svc:6379\n",
    );
    const args = thanosArgs(
      "query-frontend",
      flags({
        queryFrontend: { splitInterval: "12h", cache: { type: "redis", address: "redis.cache.svc:6379" } },
      }),
      "mon",
    );
    assert.ok(args.includes("--query-range.split-interval=12h"));
    assert.ok(
      args.includes(
        "--query-range.response-cache-config=type: REDIS\nconfig:\n  addr: redis.cache.svc:6379\n",
      ),
    );
  });

  it("never derives caches below Thanos' defaults, and keeps limits the stack sets", () => {
    const args = thanosArgs(
      "store",
      flags({ storeGateway: { limits: { requestSeries: 5000 }, chunkCacheSize: "2GiB" } }),
      "mon",
    );
    assert.deepEqual(args.slice(4, 9), [
      "--store.limits.request-series=5000",
      "--store.limits.request-samples=53687091",
      "--store.grpc.series-max-concurrency=20",
      // 20k series × 2: a hot index of 213MiB, below the 250MB floor.
      "--index-cache.config=type: IN-MEMORY\nconfig:\n  max_size: 250MB\n",
      "--store.caching-bucket.config=type: IN-MEMORY\nconfig:\n  max_size: 2GiB\n",
    ]);
  });

  it("deduplicates the replica label with the penalty algorithm only when asked", () => {
    assert.deepEqual(
      thanosArgs("compactor", flags({ compactor: { deduplicateReplicas: true } }), "mon").slice(-2),
      ["--deduplication.replica-label=prometheus_replica", "--deduplication.func=penalty"],
    );
  });

  it("halves the expected bucket and the store's series limit when the replicas are deduplicated", () => {
    const load = {
      expectedActiveSeries: 400_000,
      scrapeInterval: "30s",
      retention: { raw: "30d", "5m": "180d", "1h": "2y" },
      prometheusReplicas: 2,
    };
    const both = expectedBucket({ ...load, deduplicated: false });
    const one = expectedBucket({ ...load, deduplicated: true });
    assert.equal(both.totalBytes, 2 * one.totalBytes);
    // 400k × 86400 raw points × 2 B, twice; 5m and 1h points at 10 B.
    assert.equal(both.rawBytes, 400_000 * 86_400 * 2 * 2);
    // Raw 129GiB, 5m 386GiB, 1h 131GiB, indexes 26GiB (docs/thanos.md).
    assert.equal(Math.round(both.totalBytes / 1024 ** 3), 671);
    assert.equal(planStoreGateway({ ...load, deduplicated: true }, "4Gi", 20).requestSeries, 400_000);
  });

  it("refuses deduplication without bucket versioning, and versioning off outside dev", () => {
    assert.deepEqual(
      problemsOf("dev", {
        bucket: { versioning: false, forceDestroy: true },
        compactor: { deduplicateReplicas: true },
      }),
      [
        "dev: thanos.compactor.deduplicateReplicas: needs thanos.bucket.versioning true: deduplication rewrites every block irreversibly, and only the bucket's old versions can undo it",
      ],
    );
    assert.deepEqual(problemsOf("prod", { bucket: { versioning: false } }), [
      "prod: thanos.bucket.versioning: is only allowed off in dev: without old versions a bad compaction in prod cannot be undone",
    ]);
    assert.deepEqual(problemsOf("prod", { compactor: { deduplicateReplicas: true } }), []);
  });

  it("names the key and what it expects for a bad cache, limit or timeout", () => {
    assert.deepEqual(
      problemsOf("prod", {
        queryFrontend: { cache: { type: "valkey" } },
        storeGateway: { limits: { requestSeries: 0 } },
        query: { timeout: "soon" },
      }),
      [
        'prod: thanos.query.timeout: "soon" is not a Prometheus duration (like 2m)',
        "prod: thanos.queryFrontend.cache.type: is not a result cache; expected type in-memory, memcached (addresses) or redis (address)",
        "prod: thanos.storeGateway.limits.requestSeries: must be at least 1 series",
      ],
    );
  });
});
