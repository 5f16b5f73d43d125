/**
 * policies/util.ts helper by helper: pod specs and pod labels of every workload kind, containers and
 * init containers, missing requests and limits, label selectors, key paths, escaping. Pure; mutation
 * testing runs it for policies/util.ts.
 */
import { strict as assert } from "node:assert";
import {
  WORKLOAD_TYPES,
  at,
  containersOf,
  get,
  literalRegex,
  matchesLabels,
  missingResources,
  podLabelsOf,
  podSpecOf,
  printable,
} from "../../policies/util";

/** Each workload kind with where its pod template sits. */
const KINDS: [string, string[]][] = [
  ["kubernetes:core/v1:Pod", []],
  ["kubernetes:apps/v1:Deployment", ["spec", "template"]],
  ["kubernetes:apps/v1:StatefulSet", ["spec", "template"]],
  ["kubernetes:apps/v1:DaemonSet", ["spec", "template"]],
  ["kubernetes:apps/v1:ReplicaSet", ["spec", "template"]],
  ["kubernetes:batch/v1:Job", ["spec", "template"]],
  ["kubernetes:batch/v1:CronJob", ["spec", "jobTemplate", "spec", "template"]],
];

const nest = (path: string[], value: object): Record<string, unknown> =>
  path.reduceRight<Record<string, unknown>>(
    (inner, key) => ({ [key]: inner }),
    value as Record<string, unknown>,
  );

describe("policies/util (unit)", () => {
  it("knows exactly the workload kinds", () =>
    assert.deepEqual(
      WORKLOAD_TYPES,
      KINDS.map(([type]) => type),
    ));

  for (const [type, template] of KINDS) {
    it(`reads a ${type.split(":").pop()}'s pod spec and pod labels`, () => {
      const props = nest(template, { metadata: { labels: { app: "a" } }, spec: { containers: [] } });
      assert.deepEqual(podSpecOf(type, props), { containers: [] });
      assert.deepEqual(podLabelsOf(type, props), { app: "a" });
      assert.deepEqual(podLabelsOf(type, nest(template, { spec: {} })), {});
    });
  }

  it("reads no pod spec or labels of another kind", () => {
    const props = { metadata: { labels: { app: "a" } }, spec: { containers: [] } };
    assert.equal(podSpecOf("kubernetes:core/v1:Service", props), undefined);
    assert.deepEqual(podLabelsOf("kubernetes:core/v1:Service", props), {});
  });

  it("lists containers, then init containers, and nothing that is not a list", () => {
    assert.deepEqual(
      containersOf({ initContainers: [{ name: "i" }], containers: [{ name: "a" }, { name: "b" }] }),
      [
        { kind: "container", c: { name: "a" } },
        { kind: "container", c: { name: "b" } },
        { kind: "init container", c: { name: "i" } },
      ],
    );
    assert.deepEqual(containersOf({ containers: { name: "a" }, initContainers: "i" }), []);
    assert.deepEqual(containersOf(undefined), []);
  });

  it("names each missing request and limit, the CPU limit only when asked", () => {
    const all = ["requests.cpu", "requests.memory", "limits.memory", "limits.cpu"];
    assert.deepEqual(missingResources(undefined, true), all);
    assert.deepEqual(missingResources({}, false), all.slice(0, 3));
    assert.deepEqual(missingResources({ requests: { cpu: "1" }, limits: { cpu: "1" } }, true), [
      "requests.memory",
      "limits.memory",
    ]);
    assert.deepEqual(missingResources({ requests: { memory: "1Gi" }, limits: { memory: "1Gi" } }, true), [
      "requests.cpu",
      "limits.cpu",
    ]);
    assert.deepEqual(
      missingResources({ requests: { cpu: "", memory: "1Gi" }, limits: { memory: "1Gi" } }, false),
      ["requests.cpu"],
    );
  });

  it("matches a selector when every one of its labels is on the pod; no selector matches nothing", () => {
    assert.equal(matchesLabels({ app: "a" }, { app: "a", tier: "t" }), true);
    assert.equal(matchesLabels({ app: "a", tier: "t" }, { app: "a" }), false);
    assert.equal(matchesLabels({ app: "a" }, { app: "b" }), false);
    assert.equal(matchesLabels({}, {}), true);
    assert.equal(matchesLabels(undefined, { app: "a" }), false);
  });

  it("walks key paths through objects only", () => {
    const obj = { a: { b: { c: 1 } }, s: "text", n: null };
    assert.equal(at(obj, ["a", "b", "c"]), 1);
    assert.deepEqual(at(obj, []), obj);
    assert.equal(at(obj, ["s", "length"]), undefined);
    assert.equal(at(obj, ["n", "x"]), undefined);
    assert.equal(at(obj, ["a", "x", "c"]), undefined);
    assert.equal(get(obj, "a.b.c"), 1);
    assert.equal(get(obj, "a.b.x"), undefined);
  });

  it("escapes control and format characters for messages, and regex syntax for a literal regex", () => {
    assert.equal(
      printable("a\nb\u0000c\u202ed\u2028e\u2029f é"),
      "a\\u000ab\\u0000c\\u202ed\\u2028e\\u2029f é",
    );
    assert.equal(
      literalRegex("a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o-p"),
      "a\\.b\\*c\\+d\\?e\\^f\\$g\\{h\\}i\\(j\\)k\\|l\\[m\\]n\\\\o-p",
    );
    assert.equal(new RegExp(`^${literalRegex("a.b*(c)")}$`).test("a.b*(c)"), true);
  });
});
