// Relationships between the objects of a plan, checked on every fixture stack and on every example an
// adopter may change (Pulumi.<stack>.yaml, teams/Pulumi.<team>.yaml). Each was seen failing on a
// deliberate bug in the production code (docs/testing.md).
import { serviceUrlCallers, serviceUrlProblems } from "./helpers/serviceUrls";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { diffPlans } from "../plan/diff";
import { Plan, PlanResult, planStack, teamPlanContext } from "../plan/plan";
import type { RecordedResource } from "../plan/runtime";
import { loadStackFile } from "../plan/stackFile";
import {
  FIXTURE_STACKS,
  HELM_RELEASE,
  Loose,
  TEAM_FIXTURES,
  fixturesDir,
  planOf,
  planTeamOf,
  projectDir,
  resource,
  teamFixturesDir,
} from "./helpers/plan";

interface Subject {
  label: string;
  /** Where its Pulumi.<stack>.yaml is, for the credentials it declares external. */
  configDir: string;
  stack: string;
  team: boolean;
  plan: () => Promise<PlanResult>;
}

const teamsDir = path.join(projectDir, "teams");
const stacksIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();

const examplePlans = new Map<string, Promise<PlanResult>>();
const exampleOf = (stack: string) => {
  if (!examplePlans.has(stack)) examplePlans.set(stack, planStack({ projectDir, stack }));
  return examplePlans.get(stack)!;
};

const subjects: Subject[] = [
  ...FIXTURE_STACKS.map((stack) => ({
    label: `fixture ${stack}`,
    configDir: fixturesDir,
    stack,
    team: false,
    plan: () => planOf(stack),
  })),
  ...Object.entries(TEAM_FIXTURES).map(([team, platform]) => ({
    label: `fixture teams/${team}`,
    configDir: teamFixturesDir,
    stack: team,
    team: true,
    plan: async () => planTeamOf(team, (await planOf(platform)).plan!, platform),
  })),
  // The examples: whatever an adopter puts in them must keep these.
  ...stacksIn(projectDir).map((stack) => ({
    label: `example ${stack}`,
    configDir: projectDir,
    stack,
    team: false,
    plan: () => exampleOf(stack),
  })),
  ...stacksIn(teamsDir).map((team) => ({
    label: `example teams/${team}`,
    configDir: teamsDir,
    stack: team,
    team: true,
    plan: async () => {
      const reference = loadStackFile(teamsDir, team).config["kube-monitoring:platformStack"];
      const platform = (await exampleOf(reference.split("/")[2])).plan!;
      return planStack({
        projectDir: teamsDir,
        stack: team,
        policyConfigDir: teamsDir,
        ...teamPlanContext(reference, platform),
      });
    },
  })),
];

const byType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const meta = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
const PRIORITY_CLASS = "kubernetes:scheduling.k8s.io/v1:PriorityClass";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
const SECRET_TYPE = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const GiB = 1024 ** 3;

/** Every object under `value` with string `name` and `key`: a reference to one key of a Secret. */
function secretRefs(value: unknown, at = ""): { at: string; name: string; key: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretRefs(v, `${at}[${i}]`));
  if (!value || typeof value !== "object") return [];
  const obj = value as Loose;
  const here =
    typeof obj.name === "string" && typeof obj.key === "string" && !/configMap/i.test(at)
      ? [{ at, name: obj.name, key: obj.key }]
      : [];
  return [...here, ...Object.entries(obj).flatMap(([k, v]) => secretRefs(v, at ? `${at}.${k}` : k))];
}

/** The `{ secretName, key }` references of a stack file: Secrets it documents as managed elsewhere. */
function externalSecrets(configDir: string, stack: string, platformNamespace: string): Set<string> {
  const config = loadStackFile(configDir, stack).config;
  const found = new Set<string>();
  const walk = (value: unknown, namespace: string) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, namespace));
    if (!value || typeof value !== "object") return;
    const obj = value as Loose;
    if (typeof obj.secretName === "string" && typeof obj.key === "string")
      found.add(`${namespace}/${obj.secretName}/${obj.key}`);
    for (const v of Object.values(obj)) walk(v, namespace);
  };
  for (const [key, text] of Object.entries(config)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (key === "kube-monitoring:apps") for (const app of value as Loose[]) walk(app, String(app.namespace));
    else walk(value, platformNamespace);
  }
  return found;
}

/**
 * The pods the kube-prometheus-stack and exporter charts create (their pinned versions), by the labels
 * this stack selects them with, and their container ports. Prometheus carries the Thanos sidecar's
 * ports when the release configures one.
 */
function chartPods(release: RecordedResource): { labels: Record<string, string>; ports: number[] }[] {
  const values = release.inputs.values as Loose;
  switch (release.inputs.chart) {
    case "kube-prometheus-stack":
      return [
        {
          labels: { "app.kubernetes.io/name": "prometheus" },
          // web, config-reloader, and the sidecar's gRPC and HTTP
          ports: [9090, 8080, ...(values.prometheus?.prometheusSpec?.thanos ? [10901, 10902] : [])],
        },
        // web, config-reloader, cluster (TCP and UDP)
        { labels: { "app.kubernetes.io/name": "alertmanager" }, ports: [9093, 8080, 9094] },
      ];
    case "prometheus-pushgateway":
      return [{ labels: { "app.kubernetes.io/name": "prometheus-pushgateway" }, ports: [9091] }];
    case "prometheus-blackbox-exporter":
      return [{ labels: { "app.kubernetes.io/name": "prometheus-blackbox-exporter" }, ports: [9115] }];
    default:
      return [];
  }
}

/** Every pod the plan says the stack creates: its workloads' templates and the charts' pods. */
function podsOf(plan: Plan) {
  const workloads = plan.resources
    .filter((r) => WORKLOADS.includes(r.type))
    .map((r) => {
      const spec = r.inputs.spec as Loose;
      return {
        namespace: meta(r).namespace!,
        labels: spec.template.metadata.labels as Record<string, string>,
        ports: (spec.template.spec.containers as Loose[]).flatMap((c) =>
          ((c.ports ?? []) as Loose[]).map((p) => p.containerPort as number),
        ),
      };
    });
  const charts = byType(plan, HELM_RELEASE).flatMap((r) =>
    chartPods(r).map((p) => ({ ...p, namespace: r.inputs.namespace as string })),
  );
  return [...workloads, ...charts];
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * What each IAM principal may do, by its logical name: only its component's S3 actions on the metrics
 * bucket (ListBucket on the bucket, objects below it), its key actions on the bucket's KMS key, and the
 * sidecar's remote write to AMP.
 */
const KMS_KEY = /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;
const IAM_ALLOWLIST: Record<string, { actions: string[]; resources: RegExp }[]> = {
  "thanos-objstore-sidecar": [
    { actions: ["s3:ListBucket"], resources: /^arn:aws:s3:::[a-z0-9.-]+$/ },
    { actions: ["kms:Encrypt", "kms:GenerateDataKey"], resources: KMS_KEY },
    { actions: ["s3:GetObject", "s3:PutObject"], resources: /^arn:aws:s3:::[a-z0-9.-]+\/\*$/ },
    {
      actions: ["aps:RemoteWrite"],
      resources: /^arn:aws:aps:[a-z0-9-]+:[0-9*]+:workspace\/ws-[A-Za-z0-9-]+$/,
    },
  ],
  "thanos-objstore-store": [
    { actions: ["s3:ListBucket"], resources: /^arn:aws:s3:::[a-z0-9.-]+$/ },
    { actions: ["kms:Decrypt"], resources: KMS_KEY },
    { actions: ["s3:GetObject"], resources: /^arn:aws:s3:::[a-z0-9.-]+\/\*$/ },
  ],
  "thanos-objstore-compactor": [
    { actions: ["s3:ListBucket"], resources: /^arn:aws:s3:::[a-z0-9.-]+$/ },
    { actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], resources: KMS_KEY },
    {
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: /^arn:aws:s3:::[a-z0-9.-]+\/\*$/,
    },
  ],
  // A static key serves all three clients.
  "thanos-objstore-user": [
    { actions: ["s3:ListBucket"], resources: /^arn:aws:s3:::[a-z0-9.-]+$/ },
    { actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], resources: KMS_KEY },
    {
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: /^arn:aws:s3:::[a-z0-9.-]+\/\*$/,
    },
  ],
};

/** Each policy document attached to a principal (roles and users; inline, managed and attached). */
function attachedPolicies(plan: Plan): { principal: string; via: string; document: Loose }[] {
  const principals = plan.resources.filter(
    (r) => r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User",
  );
  // The mock names a principal `<logical name>-<8 hex>`; attachments name it, or its ARN.
  const principalOf = (ref: unknown) =>
    principals.find((p) => new RegExp(`(^|/)${p.name}-[0-9a-f]{8}$`).test(String(ref)))?.name ??
    `unknown principal ${String(ref)}`;
  const policyArn = (r: RecordedResource) => new RegExp(`:policy/${r.name}-[0-9a-f]{8}$`);
  const found: { principal: string; via: string; document: Loose }[] = [];
  for (const r of plan.resources) {
    if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/userPolicy:UserPolicy")
      found.push({
        principal: principalOf(r.inputs.role ?? r.inputs.user),
        via: r.name,
        document: JSON.parse(String(r.inputs.policy)),
      });
    if (/^aws:iam\/(role|user)PolicyAttachment:/.test(r.type)) {
      const policy = byType(plan, "aws:iam/policy:Policy").find((p) =>
        policyArn(p).test(String(r.inputs.policyArn)),
      );
      assert.ok(policy, `${r.name} attaches ${String(r.inputs.policyArn)}, which is no policy of the stack`);
      found.push({
        principal: principalOf(r.inputs.role ?? r.inputs.user),
        via: `${r.name} → ${policy.name}`,
        document: JSON.parse(String(policy.inputs.policy)),
      });
    }
    if (r.type === "aws:iam/role:Role") {
      assert.deepEqual(r.inputs.managedPolicyArns ?? [], [], `${r.name} attaches managed policies`);
      for (const inline of (r.inputs.inlinePolicies ?? []) as Loose[])
        found.push({
          principal: r.name,
          via: `${r.name} inline`,
          document: JSON.parse(String(inline.policy)),
        });
    }
  }
  return found;
}

/** Thanos' compactor volume for `series` samples every `intervalSeconds`: 14 days of raw blocks, twice, plus a tenth for the index; at least 100Gi. */
const compactorVolume = (series: number, intervalSeconds: number) =>
  Math.ceil(Math.max(((14 * 86400) / intervalSeconds) * series * 2 * 2 * 1.1, 100 * GiB) / GiB);

/**
 * The inputs whose change makes the provider replace a resource, by type: what the PR diff must call
 * a replacement (and nothing else).
 */
const REPLACING: { type: RegExp; paths: string[] }[] = [
  { type: /^kubernetes:(?!helm\.sh)/, paths: ["metadata.name", "metadata.namespace"] },
  {
    type: /^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet)$/,
    paths: ["spec.selector.matchLabels.probe"],
  },
  {
    type: /^kubernetes:apps\/v1:StatefulSet$/,
    paths: ["spec.serviceName", "spec.volumeClaimTemplates[0].spec.resources.requests.storage"],
  },
  { type: /^kubernetes:helm\.sh\/v3:Release$/, paths: ["name", "namespace"] },
  { type: /^aws:s3\/bucket:Bucket$/, paths: ["bucket", "bucketPrefix", "region"] },
  { type: /^aws:iam\//, paths: ["name"] },
];
/** Changes that are updates in place. */
const UPDATING: { type: RegExp; paths: string[] }[] = [
  {
    type: /^kubernetes:(?!helm\.sh)/,
    paths: ["metadata.labels.probe", "metadata.annotations.probe", "metadata.nameSuffix"],
  },
  {
    type: /^kubernetes:apps\/v1:(Deployment|StatefulSet)$/,
    paths: ["spec.replicas", "spec.template.metadata.labels.probe"],
  },
  { type: /^kubernetes:helm\.sh\/v3:Release$/, paths: ["values.probe", "version", "values.name"] },
  { type: /^aws:/, paths: ["tags.probe", "namePrefix"] },
];

function setPath(target: Loose, dotted: string, value: unknown) {
  const keys = dotted.replace(/\[(\d+)\]/g, ".$1").split(".");
  let at = target;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys.at(-1)!] = value;
}

const getPath = (target: Loose, dotted: string): unknown =>
  dotted
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .reduce<unknown>((at, k) => (at && typeof at === "object" ? (at as Loose)[k] : undefined), target);

for (const subject of subjects) {
  describe(`invariants of ${subject.label}`, () => {
    let plan: Plan;
    let namespace: string;
    before(async function () {
      const result = await subject.plan();
      assert.equal(result.exitCode, 0, result.report);
      plan = result.plan!;
      namespace = subject.team
        ? "" // a team stack creates nothing in the platform's namespace
        : String(plan.outputs.namespace);
    });

    it("plans with exit 0 and no mandatory violation", () => {
      assert.deepEqual(
        plan.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.message),
        [],
      );
    });

    it("runs every monitoring workload at the stack's priority class, after the cluster base", () => {
      const base = [...byType(plan, PRIORITY_CLASS), ...byType(plan, STORAGE_CLASS)];
      const priorityClass = byType(plan, PRIORITY_CLASS).map((r) => meta(r).name)[0];
      const storageClass = byType(plan, STORAGE_CLASS).map((r) => meta(r).name)[0];
      const workloads = plan.resources.filter(
        (r) => WORKLOADS.includes(r.type) && meta(r).namespace === namespace,
      );
      for (const w of workloads) {
        const spec = w.inputs.spec as Loose;
        assert.equal(spec.template.spec.priorityClassName, priorityClass, `${w.name}: priority class`);
        for (const b of base) assert.ok(w.dependsOn.includes(b.urn), `${w.name} does not wait for ${b.name}`);
        for (const claim of (spec.volumeClaimTemplates ?? []) as Loose[])
          if (storageClass)
            assert.equal(claim.spec.storageClassName, storageClass, `${w.name}: storage class`);
      }
      // The chart's Prometheus and Alertmanager (the operator's pods), and its release's wait.
      const kps = plan.resources.find(
        (r) => r.type === HELM_RELEASE && r.inputs.chart === "kube-prometheus-stack",
      );
      if (!kps) return assert.ok(subject.team, "a platform stack installs kube-prometheus-stack");
      const values = kps.inputs.values as Loose;
      assert.equal(values.prometheus.prometheusSpec.priorityClassName, priorityClass);
      assert.equal(values.alertmanager.alertmanagerSpec.priorityClassName, priorityClass);
      for (const b of base)
        assert.ok(kps.dependsOn.includes(b.urn), `kps-release does not wait for ${b.name}`);
      if (storageClass) {
        assert.equal(
          values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName,
          storageClass,
        );
        assert.equal(
          values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName,
          storageClass,
        );
      }
      // Any other release that asks for a priority class gets the stack's, and waits for it.
      for (const r of byType(plan, HELM_RELEASE).filter((x) =>
        /priorityClassName/.test(JSON.stringify(x.inputs.values)),
      )) {
        for (const b of byType(plan, PRIORITY_CLASS))
          assert.ok(r.dependsOn.includes(b.urn), `${r.name} does not wait for ${b.name}`);
      }
    });

    it("references only Secret keys the stack creates or its config names as managed elsewhere", () => {
      const created = new Set(
        byType(plan, SECRET_TYPE).flatMap((s) =>
          (s.dataKeys ?? []).map((k) => `${meta(s).namespace}/${meta(s).name}/${k}`),
        ),
      );
      const external = externalSecrets(
        subject.configDir,
        subject.stack,
        String(plan.outputs.namespace ?? "monitoring"),
      );
      const refs = plan.resources
        .filter((r) => r.type !== SECRET_TYPE)
        .flatMap((r) =>
          secretRefs(r.inputs).map((ref) => ({
            ...ref,
            of: r.name,
            id: `${String(r.type === HELM_RELEASE ? r.inputs.namespace : meta(r).namespace)}/${ref.name}/${ref.key}`,
          })),
        );
      for (const ref of refs)
        assert.ok(
          created.has(ref.id) || external.has(ref.id),
          `${ref.of} ${ref.at} references ${ref.id}: no Secret of the stack has that key, and the config names no such Secret`,
        );
      // Every external Secret the config names is used: a reference the program dropped is a lost credential.
      const used = new Set(refs.map((r) => r.id));
      for (const id of external) assert.ok(used.has(id), `the config names ${id}, which nothing reads`);
    });

    it("discovers Thanos stores by DNS SRV only through headless Services with the named port", () => {
      const endpoints = plan.resources.flatMap((r) =>
        [
          ...JSON.stringify(r.inputs).matchAll(
            /dnssrv\+_([a-z0-9-]+)\._tcp\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc/g,
          ),
        ].map(([, port, name, ns]) => ({ port, name, ns, of: r.name })),
      );
      for (const e of endpoints) {
        const service = byType(plan, SERVICE).find(
          (s) => meta(s).name === e.name && meta(s).namespace === e.ns,
        );
        if (service) {
          const spec = service.inputs.spec as Loose;
          assert.equal(spec.clusterIP, "None", `${e.of} discovers ${e.name} by SRV, which is not headless`);
          assert.ok(
            (spec.ports as Loose[]).some((p) => p.name === e.port),
            `${e.name} has no port ${e.port}`,
          );
          continue;
        }
        // The chart's Service in front of the sidecars: headless with its grpc port unless the values say otherwise.
        const kps = resource(plan, HELM_RELEASE, "kps-release");
        assert.equal(
          e.name,
          `${String(kps.inputs.name)}-thanos-discovery`,
          `${e.of} discovers ${e.name}, which nothing creates`,
        );
        assert.equal(kps.inputs.namespace, e.ns);
        const thanosService = (kps.inputs.values as Loose).prometheus.thanosService as Loose;
        assert.equal(thanosService?.enabled, true, "the chart's thanos-discovery Service is off");
        assert.equal(
          thanosService.clusterIP ?? "None",
          "None",
          "the chart's thanos-discovery Service is not headless",
        );
        assert.equal(thanosService.portName ?? "grpc", e.port);
      }
      if (plan.resources.some((r) => r.name === "thanos-query"))
        assert.equal(endpoints.length, 2, "Thanos Query discovers the sidecars and the store gateway");
    });

    it("selects with each NetworkPolicy pods the stack creates, and opens only their ports", () => {
      const pods = podsOf(plan);
      for (const np of byType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
        const spec = np.inputs.spec as Loose;
        const ns = meta(np).namespace;
        const selected = pods.filter(
          (p) => p.namespace === ns && matches(spec.podSelector.matchLabels, p.labels),
        );
        assert.ok(selected.length, `${np.name} selects no pod the stack creates`);
        const open = new Set(selected.flatMap((p) => p.ports));
        for (const rule of spec.ingress as Loose[]) {
          for (const port of rule.ports as Loose[])
            assert.ok(open.has(port.port), `${np.name} opens ${port.port}, which no selected pod listens on`);
          for (const peer of (rule.from ?? []) as Loose[])
            if (peer.podSelector && !peer.namespaceSelector)
              assert.ok(
                pods.some((p) => p.namespace === ns && matches(peer.podSelector.matchLabels, p.labels)),
                `${np.name} admits pods ${JSON.stringify(peer.podSelector.matchLabels)}, which the stack does not create`,
              );
        }
      }
    });

    it("points every in-cluster URL it hands a workload at a Service, port and pods its policies let it reach", () => {
      const callers = serviceUrlCallers(plan);
      assert.deepEqual(
        callers.flatMap((c) => serviceUrlProblems(plan, c)),
        [],
      );
      // With Thanos: Grafana → the frontend → Query; the relationship is checked, not assumed.
      if (plan.resources.some((r) => r.name === "thanos-query-frontend"))
        assert.deepEqual(callers.map((c) => c.url.split("/")[2]).sort(), [
          `thanos-query-frontend.${namespace}.svc:10902`,
          `thanos-query.${namespace}.svc:10902`,
        ]);
    });

    it("attaches to every IAM principal only its allowlisted actions on its resources", () => {
      const principals = plan.resources.filter(
        (r) => r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User",
      );
      for (const p of principals)
        assert.ok(IAM_ALLOWLIST[p.name], `${p.name} is a principal without an allowlist`);
      const policies = attachedPolicies(plan);
      for (const { principal, via, document } of policies) {
        const allowed = IAM_ALLOWLIST[principal];
        assert.ok(allowed, `${via} grants to ${principal}`);
        for (const statement of document.Statement as Loose[]) {
          assert.equal(statement.Effect, "Allow");
          assert.equal(statement.NotAction, undefined, `${via}: NotAction`);
          assert.equal(statement.NotResource, undefined, `${via}: NotResource`);
          const actions = [statement.Action].flat() as string[];
          const resources = [statement.Resource].flat() as string[];
          const grant = allowed.find((g) => actions.every((a) => g.actions.includes(a)));
          assert.ok(grant, `${via}: ${principal} may not ${actions.join(", ")}`);
          for (const r of resources)
            assert.match(r, grant.resources, `${via}: ${actions.join(", ")} on ${r}`);
        }
      }
      // Every principal has what its component needs, and one bucket serves them all.
      for (const p of principals)
        assert.ok(
          policies.some((x) => x.principal === p.name),
          `${p.name} has no policy`,
        );
      const buckets = new Set(
        policies
          .flatMap((x) => (x.document.Statement as Loose[]).flatMap((s) => [s.Resource].flat()))
          .filter((r: string) => r.startsWith("arn:aws:s3:::"))
          .map((r: string) => r.replace(/\/\*$/, "")),
      );
      assert.ok(buckets.size <= 1, [...buckets].join(", "));
    });

    it("sizes the compactor's volume by its formula, never below the floor", () => {
      const compactor = plan.resources.find((r) => r.type === WORKLOADS[1] && r.name === "thanos-compactor");
      if (!compactor) return;
      const config = loadStackFile(subject.configDir, subject.stack).config;
      const prometheus = JSON.parse(config["kube-monitoring:prometheus"] ?? "{}") as Loose;
      const thanos = JSON.parse(config["kube-monitoring:thanos"]) as Loose;
      const interval = Number(/^(\d+)s$/.exec(prometheus.scrapeInterval ?? "30s")![1]);
      const expected =
        thanos.compactor?.storageSize ??
        `${compactorVolume(prometheus.expectedActiveSeries ?? 100000, interval)}Gi`;
      const claim = ((compactor.inputs.spec as Loose).volumeClaimTemplates as Loose[])[0];
      assert.equal(claim.spec.resources.requests.storage, expected);
      if (subject.label === "fixture everything")
        assert.equal(expected, "199Gi", "the fixture is above the 100Gi floor");
    });

    it("classifies in the PR diff exactly the changes that replace a resource as replacements", () => {
      const kinds = (mutate: (r: Loose) => void, r: RecordedResource) => {
        const changed = structuredClone(r);
        mutate(changed.inputs);
        // The resource alone: how its change is classified depends on nothing else in the plan.
        const diff = diffPlans({ ...plan, resources: [r] }, { ...plan, resources: [changed] });
        return diff.changes.map((c) => `${c.kind} ${c.name} ${c.replaceBecause.join(",")}`);
      };
      let checked = 0;
      for (const r of plan.resources.filter((x) => x.custom)) {
        for (const { paths } of REPLACING.filter((x) => x.type.test(r.type)))
          for (const p of paths) {
            if (p.startsWith("spec.volumeClaimTemplates") && getPath(r.inputs, p) === undefined) continue;
            assert.deepEqual(
              kinds((i) => setPath(i, p, "probe-value"), r),
              [`replace ${r.name} ${p}`],
              `${r.type} ${p}`,
            );
            checked += 1;
          }
        for (const { paths } of UPDATING.filter((x) => x.type.test(r.type)))
          for (const p of paths) {
            assert.deepEqual(
              kinds((i) => setPath(i, p, "probe-value"), r),
              [`update ${r.name} `],
              `${r.type} ${p}`,
            );
            checked += 1;
          }
      }
      assert.ok(checked >= plan.resources.filter((x) => x.custom).length, "every resource was changed");
    });
  });
}
