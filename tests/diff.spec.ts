import { strict as assert } from "node:assert";
import { COMMENT_LIMIT, diffPlans, inputChanges, renderMarkdown, summaryLine, urnKey } from "../plan/diff";
import type { Plan } from "../plan/plan";
import { type RecordedResource, redactSerialized } from "../plan/runtime";
import * as pulumi from "@pulumi/pulumi";
import { planOf, recorded } from "./helpers/plan";

const plan = (stack: string, resources: RecordedResource[], violations: Plan["violations"] = []): Plan => ({
  stack,
  project: "kube-monitoring",
  resources: resources.map((r) => ({
    ...r,
    urn: r.urn.replace("urn:pulumi:dev::", `urn:pulumi:${stack}::`),
  })),
  outputs: {},
  violations,
  loosened: [],
  checks: [],
});
const RELEASE = "kubernetes:helm.sh/v3:Release";
const base = plan("dev", [
  recorded(RELEASE, "kps", {
    name: "kps",
    namespace: "monitoring",
    values: { prometheus: { prometheusSpec: { replicas: 1, retention: "2d" } } },
  }),
  recorded("kubernetes:core/v1:Secret", "grafana", {
    metadata: { name: "grafana-admin" },
    stringData: "[secret]",
  }),
  recorded("kubernetes:core/v1:ConfigMap", "old", { metadata: { name: "old" } }),
  recorded("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps" } }),
]);
const head = plan("dev", [
  recorded(RELEASE, "kps", {
    name: "kps",
    namespace: "monitoring",
    values: { prometheus: { prometheusSpec: { replicas: 2, retention: "2d", walCompression: true } } },
  }),
  recorded("kubernetes:core/v1:Secret", "grafana", {
    metadata: { name: "grafana-admin" },
    stringData: "[secret]",
  }),
  recorded("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps-2" } }),
  recorded("kubernetes:core/v1:ConfigMap", "new", { metadata: { name: "new" } }),
]);

describe("offline diff", () => {
  it("finds creates, updates, replaces and deletes by URN", () => {
    const diff = diffPlans(base, head);
    assert.deepEqual(
      diff.changes.map((c) => [c.kind, c.name]),
      [
        ["create", "new"],
        ["delete", "old"],
        ["replace", "ns"],
        ["update", "kps"],
      ],
    );
    assert.equal(diff.unchanged, 1);
    assert.deepEqual(diff.changes.find((c) => c.name === "ns")!.replaceBecause, ["metadata.name"]);
  });

  it("shows Helm values changes per key path, old → new", () => {
    const kps = diffPlans(base, head).changes.find((c) => c.name === "kps")!;
    assert.deepEqual(kps.changes, [
      { path: "values.prometheus.prometheusSpec.replicas", old: 1, new: 2 },
      { path: "values.prometheus.prometheusSpec.walCompression", new: true },
    ]);
    assert.deepEqual(inputChanges({ a: [1, 2] }, { a: [1, 3] }), [{ path: "a[1]", old: 2, new: 3 }]);
  });

  it("keeps secrets redacted: a changed secret value shows as nothing, never as its text", () => {
    // As the recording runtime serializes a secret input, then redacts it.
    const secretData = (value: string) =>
      redactSerialized({
        stringData: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value },
      }) as Record<string, unknown>;
    const before = plan("dev", [
      recorded("kubernetes:core/v1:Secret", "grafana", secretData("old-S3NT1NEL")),
    ]);
    const after = plan("dev", [
      recorded("kubernetes:core/v1:Secret", "grafana", { ...secretData("new-S3NT1NEL"), type: "Opaque" }),
    ]);
    const diff = diffPlans(before, after);
    const md = renderMarkdown([{ diff, plan: after }]);
    assert.deepEqual(diff.changes[0].changes, [{ path: "type", new: "Opaque" }]);
    assert.equal(after.resources[0].inputs.stringData, "[secret]");
    assert.ok(!md.includes("S3NT1NEL"));
  });

  it("compares plans of different stacks by URN without the stack", () => {
    assert.equal(
      urnKey("urn:pulumi:prod::kube-monitoring::a:b:C::x"),
      "urn:pulumi:*::kube-monitoring::a:b:C::x",
    );
    const diff = diffPlans(
      base,
      plan(
        "prod",
        base.resources.map((r) => ({ ...r, urn: r.urn.replace("::dev::", "::prod::") })),
      ),
    );
    assert.equal(diff.changes.length, 0);
  });

  it("writes a summary line, violations first, a Mermaid graph and details per resource", () => {
    const withViolations = {
      ...head,
      violations: [
        {
          policy: "alert-runbook-url",
          enforcementLevel: "advisory" as const,
          urn: "urn:x::r",
          message: "no runbook",
        },
        {
          policy: "prometheus-retention",
          enforcementLevel: "mandatory" as const,
          urn: "urn:x::kps",
          message: "too long",
        },
      ],
    };
    const md = renderMarkdown([{ diff: diffPlans(base, withViolations), plan: withViolations }]);
    assert.ok(md.startsWith("<!-- kube-monitoring offline plan -->\n## Offline plan\n"));
    assert.match(
      md,
      /- \*\*dev\*\* \(against dev\): \+1 to create, ~1 to update, ±1 to replace, -1 to delete, 1 unchanged; policy: 1 mandatory, 1 advisory ❌/,
    );
    assert.ok(
      md.indexOf("prometheus-retention") < md.indexOf("alert-runbook-url"),
      "mandatory violations come first",
    );
    assert.ok(
      md.indexOf("| mandatory |") < md.indexOf("<details><summary>"),
      "violations come before the details",
    );
    assert.match(md, /<details><summary>± replace <code>Namespace<\/code> ns<\/summary>/);
    assert.ok(
      md.includes(
        "```diff\n@@ values.prometheus.prometheusSpec.replicas @@\n- 1\n+ 2\n@@ values.prometheus.prometheusSpec.walCompression @@\n+ true\n```",
      ),
      md,
    );
    assert.match(md, /Replaced because `metadata\.name` changed\./);
  });

  it("stays under GitHub's comment limit by cutting details, never the summary", () => {
    const many = plan(
      "dev",
      Array.from({ length: 800 }, (_, i) =>
        recorded("kubernetes:core/v1:ConfigMap", `cm-${i}`, { data: { k: "x".repeat(100) } }),
      ),
    );
    const md = renderMarkdown([{ diff: diffPlans(plan("dev", []), many), plan: many }]);
    assert.ok(md.length <= COMMENT_LIMIT, `${md.length}`);
    assert.match(md, /\+800 to create/);
    assert.match(
      md,
      /\n_dev: details cut to stay under GitHub's 65536-character comment limit; see the plan artifacts\._\n/,
    );
    const tiny = renderMarkdown([{ diff: diffPlans(plan("dev", []), many), plan: many }], 2000);
    assert.ok(tiny.length <= 2000 && tiny.includes("+800 to create"));
  });

  it("never lets one stack's large diff hide another stack's violation or a failed plan", () => {
    const many = plan(
      "dev",
      Array.from({ length: 800 }, (_, i) =>
        recorded("kubernetes:core/v1:ConfigMap", `cm-${i}`, { data: { k: "x".repeat(100) } }),
      ),
    );
    const blocked = plan(
      "prod",
      [recorded("kubernetes:core/v1:ConfigMap", "cm", { data: {} })],
      [
        {
          policy: "helm-chart-pinned",
          enforcementLevel: "mandatory",
          urn: "urn:pulumi:prod::p::t::kps",
          message: "unpinned",
        },
      ],
    );
    const md = renderMarkdown(
      [
        { diff: diffPlans(plan("dev", []), many), plan: many },
        { diff: diffPlans(plan("prod", []), blocked), plan: blocked },
      ],
      undefined,
      ["staging"],
    );
    assert.ok(md.length <= COMMENT_LIMIT, `${md.length}`);
    const headEnd = md.indexOf("### dev");
    assert.ok(
      md.indexOf("- ❌ **staging**: the plan failed and wrote no plan.json; see the job log") < headEnd,
    );
    assert.ok(md.indexOf("- ❌ **prod** `helm-chart-pinned` kps: unpinned") < headEnd);
    // Both stacks keep their section; only dev's details are cut, and it says so.
    assert.match(md, /### prod\n\n\*\*New findings in this PR\*\* \(1\)\n\n\| level \| policy/);
    assert.match(md, /_dev: details cut to stay under/);
    assert.doesNotMatch(md, /_prod: details cut/);
  });

  it("is deterministic: the same plans give the same comment", async () => {
    const dev = (await planOf("dev")).plan!;
    const prod = (await planOf("prod")).plan!;
    const once = renderMarkdown([{ diff: diffPlans(dev, prod), plan: prod }]);
    const twice = renderMarkdown([
      { diff: diffPlans(structuredClone(dev), structuredClone(prod)), plan: prod },
    ]);
    assert.equal(once, twice);
    assert.equal(summaryLine(diffPlans(dev, prod), prod).split(":")[0], "**prod** (against dev)");
  });
});

describe("offline diff: what replaces a resource, and the comment exactly", () => {
  /** How a change of `before` → `after` inputs of one resource of `type` is classified. */
  const classify = (type: string, before: Record<string, unknown>, after: Record<string, unknown>) => {
    const [change] = diffPlans(
      plan("dev", [recorded(type, "r", before)]),
      plan("dev", [recorded(type, "r", after)]),
    ).changes;
    return [change.kind, change.replaceBecause];
  };
  const replaced = (...paths: string[]) => ["replace", paths];
  const updated = ["update", []];

  it("replaces on the provider's replacing inputs only, and updates on their near misses", () => {
    const cm = "kubernetes:core/v1:ConfigMap";
    assert.deepEqual(
      classify(cm, { metadata: { name: "a" } }, { metadata: { name: "b" } }),
      replaced("metadata.name"),
    );
    assert.deepEqual(
      classify(cm, { metadata: { namespace: "a" } }, { metadata: { namespace: "b" } }),
      replaced("metadata.namespace"),
    );
    assert.deepEqual(classify(cm, { metadata: { nameX: "a" } }, { metadata: { nameX: "b" } }), updated);
    assert.deepEqual(
      classify(cm, { metadata: { labels: { name: "a" } } }, { metadata: { labels: { name: "b" } } }),
      updated,
    );
    assert.deepEqual(classify(cm, { xmetadata: { name: "a" } }, { xmetadata: { name: "b" } }), updated);
    assert.deepEqual(
      classify("aws:s3/bucket:Bucket", { metadata: { name: "a" } }, { metadata: { name: "b" } }),
      updated,
    );
    assert.deepEqual(
      classify(
        cm,
        { metadata: { name: "a", namespace: "x" }, data: { k: "1" } },
        { metadata: { name: "b", namespace: "y" }, data: { k: "2" } },
      ),
      replaced("metadata.name", "metadata.namespace"),
    );
  });

  it("replaces a workload on its selector, a StatefulSet also on its service name and claims", () => {
    const selector = (app: string) => ({ spec: { selector: { matchLabels: { app } }, selectorX: app } });
    for (const kind of ["Deployment", "StatefulSet", "DaemonSet"]) {
      assert.deepEqual(
        classify(`kubernetes:apps/v1:${kind}`, selector("a"), selector("b")),
        replaced("spec.selector.matchLabels.app"),
      );
    }
    assert.deepEqual(classify("kubernetes:apps/v1:ReplicaSet", selector("a"), selector("b")), updated);
    assert.deepEqual(classify("kubernetes:apps/v1:Deployments", selector("a"), selector("b")), updated);
    assert.deepEqual(
      classify("kubernetes:apps/v1:Deployment", { spec: { selectorX: 1 } }, { spec: { selectorX: 2 } }),
      updated,
    );
    assert.deepEqual(
      classify("kubernetes:apps/v1:Deployment", { spec: { selector: 1 } }, { spec: { selector: 2 } }),
      replaced("spec.selector"),
    );
    const sts = "kubernetes:apps/v1:StatefulSet";
    const claims = (size: string) => ({
      spec: { volumeClaimTemplates: [{ size }], serviceName: size, serviceNameX: size },
    });
    assert.deepEqual(
      classify(sts, claims("1Gi"), claims("2Gi")),
      replaced("spec.serviceName", "spec.volumeClaimTemplates[0].size"),
    );
    assert.deepEqual(
      classify(
        sts,
        { spec: { volumeClaimTemplates: { a: 1 } } },
        { spec: { volumeClaimTemplates: { a: 2 } } },
      ),
      replaced("spec.volumeClaimTemplates.a"),
    );
    assert.deepEqual(
      classify(sts, { spec: { volumeClaimTemplates: 1 } }, { spec: { volumeClaimTemplates: 2 } }),
      replaced("spec.volumeClaimTemplates"),
    );
    assert.deepEqual(
      classify(sts, { spec: { volumeClaimTemplatesX: 1 } }, { spec: { volumeClaimTemplatesX: 2 } }),
      updated,
    );
    assert.deepEqual(classify("kubernetes:apps/v1:Deployment", claims("1Gi"), claims("2Gi")), updated);
    // Label and annotation keys hold dots: a key ending like a replacing path is no such path.
    const annotated = (v: string) => ({
      metadata: { annotations: { "example.com/spec.selector": v, "example.com/spec.serviceName": v } },
    });
    assert.deepEqual(classify(sts, annotated("a"), annotated("b")), updated);
  });

  it("replaces a Helm release on its name or namespace, a bucket on its name or region, an IAM object on its name", () => {
    const release = "kubernetes:helm.sh/v3:Release";
    assert.deepEqual(
      classify(release, { name: "a", namespace: "x" }, { name: "b", namespace: "y" }),
      replaced("name", "namespace"),
    );
    assert.deepEqual(
      classify(release, { values: { name: "a" }, nameX: 1 }, { values: { name: "b" }, nameX: 2 }),
      updated,
    );
    assert.deepEqual(classify("kubernetes:helm.sh/v3:Releases", { name: "a" }, { name: "b" }), updated);
    const bucket = "aws:s3/bucket:Bucket";
    assert.deepEqual(
      classify(
        bucket,
        { bucket: "a", bucketPrefix: "p", region: "r", tags: { a: "1" } },
        { bucket: "b", bucketPrefix: "q", region: "s", tags: { a: "2" } },
      ),
      replaced("bucket", "bucketPrefix", "region"),
    );
    assert.deepEqual(classify("aws:s3/bucketV2:BucketV2", { bucket: "a" }, { bucket: "b" }), updated);
    assert.deepEqual(classify(bucket, { bucketX: "a" }, { bucketX: "b" }), updated);
    assert.deepEqual(classify(bucket, { tags: { region: "eu" } }, { tags: { region: "us" } }), updated);
    assert.deepEqual(
      classify("aws:iam/role:Role", { name: "a", namePrefix: "x" }, { name: "b", namePrefix: "y" }),
      replaced("name"),
    );
    assert.deepEqual(
      classify("aws:iam/user:User", { tags: { name: "a" } }, { tags: { name: "b" } }),
      updated,
    );
    assert.deepEqual(classify("aws:s3/bucketPolicy:BucketPolicy", { name: "a" }, { name: "b" }), updated);
  });

  it("compares inputs leaf by leaf, a value that changes shape as a whole", () => {
    assert.deepEqual(
      inputChanges({ a: [{ b: 1 }, { b: 2 }], c: 1, d: null }, { a: [{ b: 1 }, { b: 3 }], e: 1, d: null }),
      [
        { path: "a[1].b", old: 2, new: 3 },
        { path: "c", old: 1 },
        { path: "e", new: 1 },
      ],
    );
    assert.deepEqual(inputChanges(null, { a: 1 }), [{ path: "", old: null, new: { a: 1 } }]);
    assert.deepEqual(inputChanges({ a: 1 }, null), [{ path: "", old: { a: 1 }, new: null }]);
    assert.deepEqual(inputChanges({ x: [1] }, { x: { 0: 1 } }), [{ path: "x", old: [1], new: { 0: 1 } }]);
    assert.deepEqual(inputChanges({ x: { 0: 1 } }, { x: [1] }), [{ path: "x", old: { 0: 1 }, new: [1] }]);
    assert.deepEqual(
      inputChanges({ b: 1, a: 1 }, { a: 2, b: 2 }).map((c) => c.path),
      ["a", "b"],
    );
    assert.deepEqual(inputChanges({ a: { b: "1" } }, { a: { b: 1 } }), [{ path: "a.b", old: "1", new: 1 }]);
    assert.deepEqual(inputChanges([], []), []);
  });

  it("records each change's parent and dependencies by URN without the stack", () => {
    const parent = "urn:pulumi:dev::kube-monitoring::comp::c";
    const dep = "urn:pulumi:dev::kube-monitoring::kubernetes:core/v1:Namespace::ns";
    const [created] = diffPlans(
      plan("dev", []),
      plan("dev", [
        recorded("kubernetes:core/v1:ConfigMap", "a", { data: { k: "1" } }, { parent, dependsOn: [dep] }),
      ]),
    ).changes;
    assert.deepEqual(created, {
      kind: "create",
      urn: "urn:pulumi:*::kube-monitoring::kubernetes:core/v1:ConfigMap::a",
      type: "kubernetes:core/v1:ConfigMap",
      name: "a",
      parent: "urn:pulumi:*::kube-monitoring::comp::c",
      dependsOn: ["urn:pulumi:*::kube-monitoring::kubernetes:core/v1:Namespace::ns"],
      changes: [{ path: "", new: { data: { k: "1" } } }],
      replaceBecause: [],
    });
    const [deleted] = diffPlans(
      plan("dev", [recorded("kubernetes:core/v1:ConfigMap", "a", { data: {} })]),
      plan("dev", []),
    ).changes;
    assert.deepEqual([deleted.kind, "parent" in deleted, deleted.changes], ["delete", false, []]);
  });

  it("writes the summary line with the tools' versions only when tools ran, ✅ without a blocking finding", () => {
    const quiet = plan("prod", [], [{ policy: "p", enforcementLevel: "advisory", urn: "u", message: "m" }]);
    assert.equal(
      summaryLine(diffPlans(plan("dev", []), quiet), quiet),
      "**prod** (against dev): +0 to create, ~0 to update, ±0 to replace, -0 to delete, 0 unchanged; policy: 0 mandatory, 1 advisory ✅",
    );
    // A plan.json written before plans recorded their checks.
    const older = { ...quiet, checks: undefined } as unknown as Plan;
    assert.equal(
      summaryLine(diffPlans(plan("dev", []), older), older),
      "**prod** (against dev): +0 to create, ~0 to update, ±0 to replace, -0 to delete, 0 unchanged; policy: 0 mandatory, 1 advisory ✅",
    );
  });

  const v = (policy: string, level: string, name: string, message = "bad") => ({
    policy,
    enforcementLevel: level as "mandatory",
    urn: `urn:pulumi:dev::p::t::${name}`,
    message,
  });

  it("writes the comment: summary, new loosenings and blocking findings a few per policy, tables, details", () => {
    const lp = { policy: "lp", from: "mandatory", to: "advisory", file: "config.dev.json" };
    const lq = { policy: "lq", setting: "max", from: "5m", to: "1h", file: "config.dev.json" };
    const cm = "kubernetes:core/v1:ConfigMap";
    const basePlan = {
      ...plan(
        "dev",
        [recorded(cm, "a", { data: { k: "1" } }), recorded(cm, "gone", {})],
        [v("p-old", "mandatory", "x")],
      ),
      loosened: [lp],
    };
    const long = "m".repeat(501);
    const headPlan = {
      ...plan(
        "dev",
        [
          recorded(cm, "a", { data: { k: "2" } }),
          recorded(cm, "same", {}),
          recorded(cm, "renamed", { metadata: { name: "r" } }),
        ],
        [
          v("p2", "advisory", "e", long),
          v("p1", "mandatory", "d"),
          v("p-old", "mandatory", "x"),
          v("p1", "remediate", "c"),
          v("p1", "mandatory", "a"),
          v("p1", "mandatory", "b"),
        ],
      ),
      loosened: [lp, lq],
      checks: [
        { tool: "promtool" as const, version: "3.0.0", status: "ok" as never, subject: "s", output: "" },
      ],
    };
    const withRenamed = {
      ...basePlan,
      resources: [
        ...basePlan.resources,
        recorded(cm, "same", {}),
        recorded(cm, "renamed", { metadata: { name: "q" } }),
      ],
    };
    const md = renderMarkdown([{ diff: diffPlans(withRenamed, headPlan), plan: headPlan, base: basePlan }]);
    const table = (...rows: string[]) =>
      ["| level | policy | resource | message |", "|---|---|---|---|", ...rows].join("\n");
    const details = (summary: string, body: string) =>
      `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
    const expectedStart = [
      "<!-- kube-monitoring offline plan -->",
      "## Offline plan",
      "",
      "- **dev** (against dev): +0 to create, ~1 to update, ±1 to replace, -1 to delete, 1 unchanged; policy: 5 mandatory, 1 advisory ❌; checked with promtool 3.0.0",
      "",
      "> ⚠️ **dev**, new in this PR: `lq.max` is **1h** (default 5m), set in `config.dev.json`",
      "- ❌ **dev** `p1` d: bad",
      "- ❌ **dev** `p1` c: bad",
      "- ❌ **dev** `p1` a: bad",
      "- ❌ **dev** `p1`: … and 1 more violations",
      "- ❌ **dev** `p-old` x: bad",
      "",
      "### dev",
      "",
      "**New findings in this PR** (5)",
      "",
      table(
        "| mandatory | `p1` | a | bad |",
        "| mandatory | `p1` | b | bad |",
        "| remediate | `p1` | c | bad |",
        "| mandatory | `p1` | d | bad |",
        `| advisory | \`p2\` | e | ${"m".repeat(500)}… |`,
      ),
      "",
      details(
        "Already present before this PR: 1 findings, 1 loosened levels or settings",
        "- `lp` is **advisory** (mandatory by default), set in `config.dev.json`\n\n" +
          table("| mandatory | `p-old` | x | bad |"),
      ),
      "",
    ].join("\n");
    assert.equal(md.slice(0, expectedStart.length), expectedStart);
    assert.ok(
      md.endsWith(
        [
          details("~ update <code>ConfigMap</code> a", '```diff\n@@ data.k @@\n- "1"\n+ "2"\n```'),
          details("- delete <code>ConfigMap</code> gone", "Deleted."),
          details(
            "± replace <code>ConfigMap</code> renamed",
            "```diff\n@@ metadata.name @@\n- q\n+ r\n```\n\nReplaced because `metadata.name` changed.",
          ),
        ].join("\n\n") + "\n",
      ),
      md,
    );
  });

  it("lists 200 findings per table and counts the rest per policy; says when nothing changed", () => {
    const found = [
      ...Array.from({ length: 199 }, (_, i) => v("p1", "advisory", `r${String(i).padStart(3, "0")}`)),
      v("p1", "advisory", "r999"),
      v("p2", "advisory", "s1"),
      v("p2", "advisory", "s2"),
      v("p0", "mandatory", "t"),
    ];
    const head = plan("dev", [], found);
    const md = renderMarkdown([{ diff: diffPlans(head, head), plan: head }]);
    assert.equal(md.split("\n").filter((l) => l.startsWith("| advisory |")).length, 199);
    assert.ok(
      md.includes(
        "| advisory | `p1` | r198 | bad |\n\nNot listed above, per policy:\n- `p1`: 1 more\n- `p2`: 2 more\n\nNo changes.\n",
      ),
      md.slice(-300),
    );
    assert.ok(md.includes("|---|---|---|---|\n| mandatory | `p0` | t | bad |\n| advisory | `p1` | r000 |"));
    const clean = plan("dev", []);
    assert.ok(
      renderMarkdown([{ diff: diffPlans(clean, clean), plan: clean }]).endsWith(
        "\n\n### dev\n\nNo changes.\n",
      ),
    );
  });

  it("cuts a stack's head lines to its share and the whole comment to the limit, saying so", () => {
    const many = plan(
      "dev",
      [],
      Array.from({ length: 60 }, (_, i) => v(`policy-${i}`, "mandatory", "r")),
    );
    const md = renderMarkdown([{ diff: diffPlans(many, many), plan: many }], 4000);
    const heads = md.split("\n").filter((l) => l.startsWith("- ❌ **dev** `policy-"));
    // Half of 4000, less 200: 58 lines and their newlines take 1788 characters; one more would pass 1800.
    assert.equal(heads.length, 58);
    assert.equal(heads.join("\n").length, 1787);
    assert.ok(md.includes(`${heads[57]}\n- ❌ **dev**: … 2 more lines in the plan artifacts\n`));
    assert.ok(md.length < 4000);
    const note = "\n\n_Cut to stay under GitHub's comment limit; see the plan artifacts._\n";
    const failed = Array.from({ length: 20 }, (_, i) => `stack-${i}`);
    const cut = renderMarkdown([], 600, failed);
    assert.equal(cut.length, 599);
    assert.ok(cut.endsWith(note));
    assert.ok(
      cut.startsWith(
        "<!-- kube-monitoring offline plan -->\n## Offline plan\n\n- ❌ **stack-0**: the plan failed",
      ),
    );
    const fits = renderMarkdown([], 65536, ["staging"]);
    assert.equal(
      fits,
      "<!-- kube-monitoring offline plan -->\n## Offline plan\n\n- ❌ **staging**: the plan failed and wrote no plan.json; see the job log\n\n\n\n",
    );
  });
});
