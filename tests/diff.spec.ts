import { strict as assert } from "node:assert";
import { COMMENT_LIMIT, diffPlans, inputChanges, renderMarkdown, summaryLine, urnKey } from "../plan/diff";
import type { Plan } from "../plan/plan";
import { type RecordedResource, redactSerialized } from "../plan/runtime";
import * as pulumi from "@pulumi/pulumi";
import { planOf } from "./helpers/plan";

const res = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedResource> = {},
): RecordedResource => ({
  urn: `urn:pulumi:dev::kube-monitoring::${type}::${name}`,
  type,
  name,
  dependsOn: [],
  inputs,
  protect: false,
  retainOnDelete: false,
  custom: true,
  ...extra,
});
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
  res(RELEASE, "kps", {
    name: "kps",
    namespace: "monitoring",
    values: { prometheus: { prometheusSpec: { replicas: 1, retention: "2d" } } },
  }),
  res("kubernetes:core/v1:Secret", "grafana", {
    metadata: { name: "grafana-admin" },
    stringData: "[secret]",
  }),
  res("kubernetes:core/v1:ConfigMap", "old", { metadata: { name: "old" } }),
  res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps" } }),
]);
const head = plan("dev", [
  res(RELEASE, "kps", {
    name: "kps",
    namespace: "monitoring",
    values: { prometheus: { prometheusSpec: { replicas: 2, retention: "2d", walCompression: true } } },
  }),
  res("kubernetes:core/v1:Secret", "grafana", {
    metadata: { name: "grafana-admin" },
    stringData: "[secret]",
  }),
  res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps-2" } }),
  res("kubernetes:core/v1:ConfigMap", "new", { metadata: { name: "new" } }),
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
    const before = plan("dev", [res("kubernetes:core/v1:Secret", "grafana", secretData("old-S3NT1NEL"))]);
    const after = plan("dev", [
      res("kubernetes:core/v1:Secret", "grafana", { ...secretData("new-S3NT1NEL"), type: "Opaque" }),
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
      Array.from({ length: 3000 }, (_, i) =>
        res("kubernetes:core/v1:ConfigMap", `cm-${i}`, { data: { k: "x".repeat(100) } }),
      ),
    );
    const md = renderMarkdown([{ diff: diffPlans(plan("dev", []), many), plan: many }]);
    assert.ok(md.length <= COMMENT_LIMIT, `${md.length}`);
    assert.match(md, /\+3000 to create/);
    assert.match(
      md,
      /\n_dev: details cut to stay under GitHub's 65536-character comment limit; see the plan artifacts\._\n/,
    );
    const tiny = renderMarkdown([{ diff: diffPlans(plan("dev", []), many), plan: many }], 2000);
    assert.ok(tiny.length <= 2000 && tiny.includes("+3000 to create"));
  });

  it("never lets one stack's large diff hide another stack's violation or a failed plan", () => {
    const many = plan(
      "dev",
      Array.from({ length: 3000 }, (_, i) =>
        res("kubernetes:core/v1:ConfigMap", `cm-${i}`, { data: { k: "x".repeat(100) } }),
      ),
    );
    const blocked = plan(
      "prod",
      [res("kubernetes:core/v1:ConfigMap", "cm", { data: {} })],
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
