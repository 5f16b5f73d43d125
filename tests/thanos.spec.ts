import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  ConfigError,
  ampWorkspaceArn,
  irsaTrustPolicy,
  parseStackConfig,
  thanosArgs,
  thanosBucketPolicyDocument,
  thanosLifecycleRules,
  thanosObjstoreConfig,
  tlsOnlyBucketPolicy,
  validateThanosObjectStoreArgs,
} from "../components";
import { SECRET } from "../plan/runtime";
import { SECRET_PLACEHOLDER } from "../plan/stackFile";
import { HELM_RELEASE, devPolicyConfig, planOf, planWithConfig, resource, Loose } from "./helpers/plan";

const bucketArn = "arn:aws:s3:::thanos-metrics-abc";
const oidc = {
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
  oidcProviderUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
};

function problemsOf(raw: Record<string, unknown>, secretKeys: string[] = []): string[] {
  try {
    parseStackConfig("prod", { environment: "prod", clusterName: "prod-1", ...raw }, { secretKeys });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail("the config was accepted");
}

describe("thanos object store", () => {
  it("writes the S3 objstore config for IRSA with SSE-S3", () => {
    assert.deepEqual(parse(thanosObjstoreConfig("b-1", "eu-west-1")), {
      type: "S3",
      config: {
        bucket: "b-1",
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        aws_sdk_auth: true,
        sse_config: { type: "SSE-S3" },
      },
    });
  });

  it("writes SSE-KMS and static keys when asked", () => {
    const kms = "arn:aws:kms:eu-west-1:123456789012:key/k";
    const config = parse(
      thanosObjstoreConfig("b-1", "eu-west-1", kms, { accessKey: "AKIA1", secretKey: "s3cr3t" }),
    );
    assert.deepEqual(config.config.sse_config, { type: "SSE-KMS", kms_key_id: kms });
    assert.equal(config.config.access_key, "AKIA1");
    assert.equal(config.config.secret_key, "s3cr3t");
    assert.equal(config.config.aws_sdk_auth, undefined);
  });

  it("grants each client only its actions: the sidecar uploads, the store reads, the compactor rewrites", () => {
    const kms = "arn:aws:kms:eu-west-1:1:key/k";
    const actions = (client: "sidecar" | "store" | "compactor") =>
      thanosBucketPolicyDocument(bucketArn, kms, client).Statement.map((s) => [s.Sid, s.Action, s.Resource]);
    assert.deepEqual(actions("sidecar"), [
      ["ListBucket", ["s3:ListBucket"], [bucketArn]],
      ["Objects", ["s3:GetObject", "s3:PutObject"], [`${bucketArn}/*`]],
      ["UseBucketKey", ["kms:Encrypt", "kms:GenerateDataKey"], [kms]],
    ]);
    assert.deepEqual(actions("store"), [
      ["ListBucket", ["s3:ListBucket"], [bucketArn]],
      ["Objects", ["s3:GetObject"], [`${bucketArn}/*`]],
      ["UseBucketKey", ["kms:Decrypt"], [kms]],
    ]);
    assert.deepEqual(actions("compactor"), [
      ["ListBucket", ["s3:ListBucket"], [bucketArn]],
      ["Objects", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [`${bucketArn}/*`]],
      ["UseBucketKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], [kms]],
    ]);
    assert.equal(thanosBucketPolicyDocument(bucketArn, undefined, "store").Statement.length, 2);
  });

  it("denies every non-TLS request to the bucket and its objects", () => {
    assert.deepEqual(tlsOnlyBucketPolicy(bucketArn).Statement[0], {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("trusts only the named service accounts through the cluster's OIDC provider", () => {
    const trust = irsaTrustPolicy(oidc.oidcProviderArn, oidc.oidcProviderUrl, {
      namespace: "monitoring",
      serviceAccounts: ["kps-prometheus", "thanos-store"],
    });
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": [
        "system:serviceaccount:monitoring:kps-prometheus",
        "system:serviceaccount:monitoring:thanos-store",
      ],
    });
    assert.deepEqual(trust.Statement[0].Principal, { Federated: oidc.oidcProviderArn });
  });

  it("never expires a current object: only failed uploads, old versions and dead delete markers", () => {
    const rules = thanosLifecycleRules(30, 7);
    assert.deepEqual(
      rules.map((r) => r.id),
      ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "remove-expired-delete-markers"],
    );
    for (const rule of rules) {
      const expiration = (rule as { expiration?: Record<string, unknown> }).expiration;
      assert.ok(!expiration || (!("days" in expiration) && !("date" in expiration)), rule.id);
    }
    assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
    assert.deepEqual(rules[1].noncurrentVersionExpiration, { noncurrentDays: 30 });
  });

  it("reads the AMP workspace from a remote-write URL", () => {
    assert.equal(
      ampWorkspaceArn(
        "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1a2b/api/v1/remote_write",
      ),
      "arn:aws:aps:eu-west-1:*:workspace/ws-1a2b",
    );
    assert.equal(ampWorkspaceArn("https://vm.example.com/api/v1/write"), undefined);
  });

  it("refuses args that cannot make a working store, naming the fields", () => {
    const cfg = parseStackConfig("dev", {
      environment: "dev",
      clusterName: "dev-1",
      thanos: {
        enabled: true,
        region: "eu-west-1",
        auth: { mode: "accessKey" },
        bucket: { forceDestroy: true },
      },
    }).thanos;
    const clients = {
      namespace: "monitoring",
      serviceAccounts: { sidecar: "kps-prometheus", store: "thanos-store", compactor: "thanos-compactor" },
    };
    assert.throws(
      () => validateThanosObjectStoreArgs({ config: cfg, clients, tags: {}, protect: true }),
      /thanos\.bucket\.forceDestroy and protect are mutually exclusive/,
    );
    assert.throws(
      () => validateThanosObjectStoreArgs({ config: { ...cfg, region: undefined }, clients, tags: {} }),
      /thanos\.region is required/,
    );
  });
});

describe("thanos components", () => {
  const cfg = parseStackConfig("prod", {
    environment: "prod",
    clusterName: "prod-1",
    thanos: {
      enabled: true,
      region: "eu-west-1",
      auth: oidc,
      retention: { raw: "15d", "5m": "90d", "1h": "1y" },
      query: { extraEndpoints: ["thanos-query.other-cluster.example.com:10901"] },
    },
  }).thanos;
  const base = { config: cfg, replicaLabel: "prometheus_replica", sidecarService: "kps-thanos-discovery" };

  it("deduplicates queries on the Prometheus replica label across sidecars, store and other clusters", () => {
    assert.deepEqual(thanosArgs("query", base, "monitoring"), [
      "query",
      "--grpc-address=0.0.0.0:10901",
      "--http-address=0.0.0.0:10902",
      "--log.format=logfmt",
      "--query.replica-label=prometheus_replica",
      "--endpoint=dnssrv+_grpc._tcp.kps-thanos-discovery.monitoring.svc.cluster.local",
      "--endpoint=dnssrv+_grpc._tcp.thanos-store.monitoring.svc.cluster.local",
      "--endpoint=thanos-query.other-cluster.example.com:10901",
      "--query.auto-downsampling",
      "--query.timeout=2m",
      "--query.max-concurrent=20",
    ]);
  });

  it("compacts with retention per resolution, waiting between runs", () => {
    const args = thanosArgs("compactor", base, "monitoring");
    assert.equal(args[0], "compact");
    for (const flag of [
      "--wait",
      "--retention.resolution-raw=15d",
      "--retention.resolution-5m=90d",
      "--retention.resolution-1h=1y",
      "--objstore.config-file=/etc/thanos/objstore/thanos.yaml",
      "--delete-delay=48h",
    ]) {
      assert.ok(args.includes(flag), flag);
    }
    assert.ok(!args.some((a) => a.startsWith("--downsampling.disable")), "downsampling must stay on");
  });

  it("serves store blocks from the bucket", () => {
    assert.deepEqual(thanosArgs("store", base, "monitoring").slice(-2), [
      "--data-dir=/var/thanos/data",
      "--objstore.config-file=/etc/thanos/objstore/thanos.yaml",
    ]);
  });
});

describe("thanos config", () => {
  it("refuses forceDestroy outside dev", () => {
    assert.deepEqual(
      problemsOf({
        thanos: { enabled: true, region: "eu-west-1", auth: oidc, bucket: { forceDestroy: true } },
      }),
      [
        "prod: thanos.bucket.forceDestroy: is only allowed in dev: it lets a stack change delete prod's metric history",
      ],
    );
  });

  it("requires a region and, for IRSA, the OIDC provider", () => {
    assert.deepEqual(problemsOf({ thanos: { enabled: true } }), [
      "prod: thanos.region: is required when thanos.enabled is true",
      "prod: thanos.auth.oidcProviderArn: is required when thanos.auth.mode is irsa",
      "prod: thanos.auth.oidcProviderUrl: is required when thanos.auth.mode is irsa",
    ]);
  });

  it("keeps coarser resolutions at least as long as finer ones", () => {
    assert.deepEqual(
      problemsOf({
        thanos: { enabled: true, region: "eu-west-1", auth: oidc, retention: { raw: "1y", "5m": "90d" } },
      }),
      ["prod: thanos.retention: must keep coarser resolutions at least as long: raw ≤ 5m ≤ 1h"],
    );
  });

  it("refuses a remote-write password typed in plain text", () => {
    const remoteWrite = [
      {
        name: "vm",
        url: "https://vm.example.com/api/v1/write",
        auth: { type: "basic", username: "u", password: "p" },
      },
    ];
    assert.deepEqual(problemsOf({ remoteWrite }), [
      "prod: remoteWrite[0].auth.password: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'remoteWrite[0].auth.password' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
    ]);
    const cfg = parseStackConfig(
      "prod",
      { environment: "prod", clusterName: "p", remoteWrite },
      { secretKeys: ["remoteWrite"] },
    );
    assert.equal(cfg.remoteWrite[0].auth.type, "basic");
  });

  it("refuses credentials over plain HTTP, unknown auth types and duplicate names", () => {
    assert.deepEqual(
      problemsOf(
        {
          remoteWrite: [
            { name: "vm", url: "http://vm:8428/api/v1/write", auth: { type: "bearer", token: "t" } },
            { name: "vm", url: "https://x/api/v1/write", auth: { type: "oauth" } },
          ],
        },
        ["remoteWrite"],
      ),
      [
        "prod: remoteWrite[0].url: must be https:// to send bearer credentials",
        "prod: remoteWrite[1].auth.type: [secret] is not an auth; expected type none, basic, bearer or sigv4",
      ],
    );
    const target = { name: "vm", url: "https://vm.example.com/api/v1/write" };
    assert.deepEqual(problemsOf({ remoteWrite: [target, target] }), [
      'prod: remoteWrite[1].name: "vm" is not a unique remote write name',
    ]);
  });

  it("redacts every value of a secret key in messages", () => {
    const problems = problemsOf(
      { remoteWrite: [{ name: "vm", url: "not a url", auth: { type: "bearer", token: "tok-123" } }] },
      ["remoteWrite"],
    );
    assert.deepEqual(problems, ["prod: remoteWrite[0].url: [secret] is not an http(s) URL"]);
  });
});

describe("thanos in the prod plan", () => {
  it("hardens the bucket and keeps it through any stack change", async () => {
    const { plan } = await planOf("prod");
    const bucket = resource(plan, "aws:s3/bucket:Bucket", "thanos-objstore-bucket");
    assert.deepEqual([bucket.protect, bucket.retainOnDelete], [true, true]);
    assert.deepEqual(bucket.inputs, {
      bucketPrefix: "prod-eu-west-1-thanos-",
      forceDestroy: false,
      region: "eu-west-1",
      tags: { "kube-monitoring:stack": "prod", "kube-monitoring:cluster": "prod-eu-west-1" },
    });
    const at = (type: string, name: string) => resource(plan, type, name).inputs;
    const { bucket: bucketRef, ...block } = at(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "thanos-objstore-public-access",
    );
    // Every bucket setting points at the bucket's id (the mock's is `<name>-<hash>`).
    assert.match(String(bucketRef), /^thanos-objstore-bucket-[0-9a-f]{8}$/);
    assert.deepEqual(block, {
      region: "eu-west-1",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    assert.deepEqual(
      at(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "thanos-objstore-encryption",
      ).rules,
      [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    );
    assert.deepEqual(
      at("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "thanos-objstore-ownership").rule,
      {
        objectOwnership: "BucketOwnerEnforced",
      },
    );
    assert.deepEqual(
      at("aws:s3/bucketVersioning:BucketVersioning", "thanos-objstore-versioning").versioningConfiguration,
      {
        status: "Enabled",
      },
    );
    const policy = JSON.parse(
      String(at("aws:s3/bucketPolicy:BucketPolicy", "thanos-objstore-tls-only").policy),
    );
    assert.equal(policy.Statement[0].Condition.Bool["aws:SecureTransport"], "false");
    const lifecycle = resource(
      plan,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "thanos-objstore-lifecycle",
    );
    assert.ok(lifecycle.dependsOn.some((d) => d.endsWith("::thanos-objstore-versioning")));
  });

  it("wires the sidecar to the objstore Secret and the Prometheus service account to the IRSA role", async () => {
    const { plan } = await planOf("prod");
    const secret = resource(plan, "kubernetes:core/v1:Secret", "kps-thanos-objstore");
    assert.deepEqual(secret.inputs.metadata, { name: "thanos-objstore-config", namespace: "monitoring" });
    assert.equal(secret.inputs.stringData, SECRET);
    const values = resource(plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
    assert.deepEqual(values.prometheus.prometheusSpec.thanos, {
      image: "quay.io/thanos/thanos:v0.42.4",
      version: "v0.42.4",
      resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      objectStorageConfig: { existingSecret: { name: "thanos-objstore-config", key: "thanos.yaml" } },
    });
    assert.deepEqual(values.prometheus.thanosService, { enabled: true });
    assert.deepEqual(values.prometheus.thanosServiceMonitor, { enabled: true });
    assert.match(
      values.prometheus.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
      /^arn:aws:iam::123456789012:role\/thanos-objstore-sidecar-/,
    );
    // One role per client, each trusting only its own service account, each with only its actions.
    const sub = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub";
    const roles = ["sidecar", "store", "compactor"].map((client) => {
      const role = resource(plan, "aws:iam/role:Role", `thanos-objstore-${client}`);
      const policy = JSON.parse(
        String(
          resource(plan, "aws:iam/rolePolicy:RolePolicy", `thanos-objstore-${client}-bucket`).inputs.policy,
        ),
      );
      return [
        JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals[sub],
        policy.Statement.find((s: Loose) => s.Sid === "Objects").Action,
        // Attached to its own role, no other.
        new RegExp(`^thanos-objstore-${client}-[0-9a-f]{8}$`).test(
          String(
            resource(plan, "aws:iam/rolePolicy:RolePolicy", `thanos-objstore-${client}-bucket`).inputs.role,
          ),
        ),
      ];
    });
    assert.deepEqual(roles, [
      [["system:serviceaccount:monitoring:kps-prometheus"], ["s3:GetObject", "s3:PutObject"], true],
      [["system:serviceaccount:monitoring:thanos-store"], ["s3:GetObject"], true],
      [
        ["system:serviceaccount:monitoring:thanos-compactor"],
        ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        true,
      ],
    ]);
    // Only Prometheus (the sidecar's identity) may write to AMP.
    const remoteWrite = resource(plan, "aws:iam/rolePolicy:RolePolicy", "thanos-objstore-remote-write");
    assert.deepEqual(JSON.parse(String(remoteWrite.inputs.policy)).Statement[0].Resource, [
      "arn:aws:aps:eu-west-1:*:workspace/ws-EXAMPLE",
    ]);
    assert.match(String(remoteWrite.inputs.role), /^thanos-objstore-sidecar-[0-9a-f]{8}$/);
  });

  it("tunes remote write and drops the expensive metric family", async () => {
    const values = resource((await planOf("prod")).plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
    assert.deepEqual(values.prometheus.prometheusSpec.remoteWrite, [
      {
        name: "amp",
        url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-EXAMPLE/api/v1/remote_write",
        queueConfig: { capacity: 10000, maxShards: 10, maxSamplesPerSend: 5000, batchSendDeadline: "5s" },
        // AMP deduplicates on __replica__ only: the replica label is renamed on the way out, first.
        writeRelabelConfigs: [
          { sourceLabels: ["prometheus_replica"], targetLabel: "__replica__", action: "replace" },
          { regex: "prometheus_replica", action: "labeldrop" },
          { sourceLabels: ["__name__"], regex: "expensive_metric.*", action: "drop" },
        ],
        sigv4: { region: "eu-west-1" },
      },
    ]);
  });

  it("runs query, store gateway and one compactor with limits, as non-root", async () => {
    const { plan } = await planOf("prod");
    const podSpecOf = (type: string, name: string) =>
      (resource(plan, type, name).inputs.spec as { template: { spec: Loose } }).template.spec;
    const query = podSpecOf("kubernetes:apps/v1:Deployment", "thanos-query");
    assert.deepEqual(query.containers[0].resources, {
      requests: { cpu: "200m", memory: "512Mi" },
      limits: { cpu: "1", memory: "2Gi" },
    });
    assert.equal(query.securityContext.runAsNonRoot, true);
    assert.equal(query.containers[0].securityContext.readOnlyRootFilesystem, true);
    assert.ok(
      query.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
      "hard anti-affinity",
    );
    const compactor = resource(plan, "kubernetes:apps/v1:StatefulSet", "thanos-compactor").inputs
      .spec as Loose;
    assert.equal(compactor.replicas, 1);
    // Derived from 400k series at 30s: 14 days of raw blocks, twice (source and result), plus index,
    // is 96 GiB, below Thanos' 100Gi floor for scratch space. On the stack's encrypted gp3 class.
    assert.deepEqual(compactor.volumeClaimTemplates[0].spec.resources.requests.storage, "100Gi");
    assert.equal(compactor.volumeClaimTemplates[0].spec.storageClassName, "monitoring-gp3");
    const store = podSpecOf("kubernetes:apps/v1:StatefulSet", "thanos-store");
    assert.equal(store.serviceAccountName, "thanos-store");
    assert.equal(store.volumes[0].secret.secretName, "thanos-objstore-config");
    const sa = resource(plan, "kubernetes:core/v1:ServiceAccount", "thanos-store").inputs.metadata as Loose;
    assert.match(
      sa.annotations["eks.amazonaws.com/role-arn"],
      /^arn:aws:iam::123456789012:role\/thanos-objstore-store-/,
    );
    const monitor = resource(
      plan,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      "thanos-servicemonitor",
    );
    assert.ok(
      monitor.dependsOn.some((d) => d.endsWith("::crds-release")),
      "the ServiceMonitor waits for the CRDs",
    );
  });

  it("leaves Thanos out of dev", async () => {
    const { plan } = await planOf("dev");
    assert.deepEqual(
      plan!.resources.filter((r) => r.type.startsWith("aws:") || r.name.startsWith("thanos")),
      [],
    );
  });
});

describe("credentials in a plan", () => {
  it("keep access keys, passwords and tokens out of plan.json and the manifests", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-out-"));
    try {
      const result = await planWithConfig(
        "creds",
        {
          "kube-monitoring:environment": "dev",
          "kube-monitoring:clusterName": "dev-1",
          "kube-monitoring:prometheus": { retention: "2d" },
          "kube-monitoring:thanos": {
            enabled: true,
            region: "eu-west-1",
            auth: { mode: "accessKey" },
            bucket: { forceDestroy: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" },
          },
          "kube-monitoring:remoteWrite": [
            {
              name: "vm",
              url: "https://vm.example.com/api/v1/write",
              auth: { type: "basic", username: "writer", password: { secure: "v1:AAAA" } },
            },
            {
              name: "mimir",
              url: "https://mimir.example.com/api/v1/push",
              auth: { type: "bearer", token: { secure: "v1:BBBB" } },
            },
          ],
          "kube-monitoring:federation": [
            { name: "edge", url: "https://prom.edge.example.com:9090", match: ['{job="node"}', "up"] },
          ],
        },
        out,
        devPolicyConfig(),
      );
      assert.equal(result.exitCode, 0, result.report);
      const files = [
        path.join(out, "creds", "plan.json"),
        ...fs
          .readdirSync(path.join(out, "creds", "manifests"))
          .map((f) => path.join(out, "creds", "manifests", f)),
      ];
      const text = files.map((f) => fs.readFileSync(f, "utf8")).join("\n");
      for (const leak of [SECRET_PLACEHOLDER, "mock-aws-secret", "mock-password"])
        assert.ok(!text.includes(leak), leak);

      const plan = result.plan!;
      assert.equal(
        resource(plan, "kubernetes:core/v1:Secret", "kps-remote-write-vm").inputs.stringData,
        SECRET,
      );
      assert.equal(
        resource(plan, "kubernetes:core/v1:Secret", "kps-remote-write-mimir").inputs.stringData,
        SECRET,
      );
      assert.ok(resource(plan, "aws:iam/accessKey:AccessKey", "thanos-objstore-access-key"));
      assert.throws(() => resource(plan, "aws:iam/role:Role", "thanos-objstore-sidecar"));
      const bucket = resource(plan, "aws:s3/bucket:Bucket", "thanos-objstore-bucket");
      assert.deepEqual(
        [bucket.inputs.forceDestroy, bucket.protect, bucket.retainOnDelete],
        [true, false, false],
      );
      const sse = resource(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "thanos-objstore-encryption",
      );
      assert.deepEqual(sse.inputs.rules, [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
          },
          bucketKeyEnabled: true,
        },
      ]);

      const values = resource(plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
      const [vm, mimir] = values.prometheus.prometheusSpec.remoteWrite;
      assert.deepEqual(vm.basicAuth, {
        username: { name: "remote-write-vm", key: "username" },
        password: { name: "remote-write-vm", key: "password" },
      });
      assert.deepEqual(mimir.authorization, {
        type: "Bearer",
        credentials: { name: "remote-write-mimir", key: "token" },
      });
      assert.deepEqual(values.prometheus.prometheusSpec.additionalScrapeConfigsSecret, {
        enabled: true,
        name: "prometheus-federation",
        key: "federation.yaml",
      });
      assert.equal(values.prometheus.serviceAccount, undefined, "no IRSA annotation with static keys");

      // The Kubernetes SDK marks every Secret's data secret, even where nothing in it is.
      assert.equal(resource(plan, "kubernetes:core/v1:Secret", "kps-federation").inputs.stringData, SECRET);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
