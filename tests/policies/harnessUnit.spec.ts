/**
 * policies/harness.ts as the engine's stand-in: what runPolicies hands a resource policy and a stack
 * policy (props with unknowns behind the SDK's proxy, parents, dependencies, options, config merged
 * over the defaults), levels, notApplicable, and what loadPolicyConfig refuses in a config file's shape.
 * Pure apart from temporary config files; mutation testing runs it for policies/harness.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { PolicyConfigError, PolicyInput, loadPolicyConfig, runPolicies } from "../../policies/harness";
import type { Policy } from "../../policies/util";

const input = (
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PolicyInput> = {},
): PolicyInput => ({
  urn: `urn:pulumi:s::p::t::${name}`,
  type: "test:index:Thing",
  name,
  dependsOn: [],
  inputs,
  protect: false,
  ...extra,
});

/** A resource policy that runs `check` and reports what it returns. */
const resourcePolicy = (
  check: (args: ResourceValidationArgs, report: (message: string, urn?: string) => void) => unknown,
  extra: Partial<Policy> = {},
): Policy =>
  ({
    name: "probe",
    description: "probe",
    enforcementLevel: "mandatory",
    configSchema: { properties: { limit: { type: "number", default: 3 }, other: { type: "string" } } },
    validateResource: check,
    ...extra,
  }) as Policy;

const stackPolicy = (
  check: (args: StackValidationArgs, report: (m: string, urn?: string) => void) => void,
): Policy =>
  ({
    name: "stack-probe",
    description: "probe",
    enforcementLevel: "advisory",
    configSchema: { properties: {} },
    validateStack: check,
  }) as Policy;

class Thing {
  static __pulumiType = "test:index:Thing";
}
class Other {
  static __pulumiType = "test:index:Other";
}

describe("policies/harness (unit)", () => {
  it("hands a resource policy its type, name, urn, props, options and config over the defaults", () => {
    const seen: unknown[] = [];
    const policy = resourcePolicy((args) => {
      seen.push({
        type: args.type,
        name: args.name,
        urn: args.urn,
        value: args.props.a.b,
        opts: args.opts,
        config: args.getConfig(),
        tags: args.stackTags.size,
        isThing: args.isType(Thing as never),
        isOther: args.isType(Other as never),
        asThing: (args.asType(Thing as never) as { a?: unknown } | undefined)?.a,
        asOther: args.asType(Other as never),
      });
      // Plain data: the props and options come behind the SDK's proxy.
      seen.push(
        JSON.parse(JSON.stringify(seen.pop(), (_k, v: unknown) => (v === undefined ? "undefined" : v))),
      );
    });
    const r = input("one", { a: { b: 1 } }, { protect: true, parent: "urn:parent" });
    assert.deepEqual(runPolicies([r], [policy], { probe: { other: "x" } }), []);
    assert.deepEqual(seen, [
      {
        type: "test:index:Thing",
        name: "one",
        urn: "urn:pulumi:s::p::t::one",
        value: 1,
        opts: {
          protect: true,
          ignoreChanges: [],
          aliases: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          additionalSecretOutputs: [],
          parent: "urn:parent",
        },
        config: { limit: 3, other: "x" },
        tags: 0,
        isThing: true,
        isOther: false,
        asThing: { b: 1 },
        asOther: "undefined",
      },
    ]);
    // Without a parent, no parent key; a configured value wins over its default.
    seen.length = 0;
    runPolicies([input("two", { a: { b: 2 } })], [policy], { probe: { limit: 5 } });
    assert.equal("parent" in (seen[0] as { opts: object }).opts, false);
    assert.deepEqual((seen[0] as { config: object }).config, { limit: 5 });
  });

  it("reports at the resource's urn, or the one the policy names, at the configured level", () => {
    const policy = resourcePolicy((args, report) => {
      report(`${args.name} here`);
      report(`${args.name} elsewhere`, "urn:else");
    });
    const r = input("one", {});
    const at = (file = {}) => runPolicies([r], [policy], file);
    assert.deepEqual(at(), [
      { policy: "probe", enforcementLevel: "mandatory", urn: r.urn, message: "one here" },
      { policy: "probe", enforcementLevel: "mandatory", urn: "urn:else", message: "one elsewhere" },
    ]);
    assert.deepEqual(
      at({ probe: "advisory" }).map((v) => v.enforcementLevel),
      ["advisory", "advisory"],
    );
    // remediate blocks as mandatory does; disabled runs nothing.
    assert.deepEqual(
      at({ probe: { enforcementLevel: "remediate" } }).map((v) => v.enforcementLevel),
      ["mandatory", "mandatory"],
    );
    assert.deepEqual(at({ probe: "disabled" }), []);
    // Every validation of a list runs.
    const both = resourcePolicy(() => undefined, {
      validateResource: [(_a, report) => report("first"), (_a, report) => report("second")],
    } as Partial<Policy>);
    assert.deepEqual(
      runPolicies([r], [both]).map((v) => v.message),
      ["first", "second"],
    );
  });

  it("turns the plan's [unknown] into the engine's unknown: a policy that reads one is advisory, never a pass", () => {
    const policy = resourcePolicy((args, report) => {
      report(`read ${JSON.stringify(args.props.known)}`);
      report(`read ${String(args.props.list[1].deep)}`);
    });
    const inputs = { known: { x: 1 }, list: [{ deep: "ok" }, { deep: "[unknown]" }] };
    const r = input("one", inputs);
    assert.deepEqual(runPolicies([r], [policy]), [
      { policy: "probe", enforcementLevel: "mandatory", urn: r.urn, message: 'read {"x":1}' },
      {
        policy: "probe",
        enforcementLevel: "advisory",
        urn: r.urn,
        message:
          "can't run policy 'probe' during preview: string value at .list.1.deep can't be known during preview",
      },
    ]);
    // The plan's own objects are left as they were.
    assert.deepEqual(inputs, { known: { x: 1 }, list: [{ deep: "ok" }, { deep: "[unknown]" }] });
    const top = input("top", { value: "[unknown]" });
    assert.deepEqual(
      runPolicies([top], [resourcePolicy((args, report) => report(String(args.props.value)))]).map(
        (v) => v.message,
      ),
      ["can't run policy 'probe' during preview: string value at .value can't be known during preview"],
    );
  });

  it("shares what holds no unknown, copies only what does", () => {
    const shared = { deep: { x: 1 } };
    const list = [{ y: 1 }];
    const inputs = { shared, list, unknown: { z: "[unknown]" }, unknowns: ["a", "[unknown]"] };
    let seen: Record<string, unknown> | undefined;
    const policy = stackPolicy((args) => {
      seen = args.resources[0].asType(Thing as never) as Record<string, unknown>;
    });
    runPolicies([input("one", inputs)], [policy]);
    assert.equal(seen!.shared, shared);
    assert.equal(seen!.list, list);
    assert.notEqual(seen!.unknown, inputs.unknown);
    assert.notEqual(seen!.unknowns, inputs.unknowns);
    assert.equal((seen!.unknowns as unknown[])[0], "a");
    assert.ok(Array.isArray(seen!.unknowns));
    const plain = { a: 1 };
    runPolicies([input("two", plain)], [policy]);
    assert.equal(seen, plain);
  });

  it("hands a stack policy every resource with its parent and the dependencies the plan holds", () => {
    const parent = input("parent", { p: 1 });
    const child = input(
      "child",
      { c: [1] },
      { parent: parent.urn, dependsOn: [parent.urn, "urn:elsewhere"] },
    );
    let resources: PolicyResource[] = [];
    const policy = stackPolicy((args, report) => {
      resources = args.resources;
      report(`config ${JSON.stringify(args.getConfig())} tags ${args.stackTags.size}`);
      report("at", "urn:x");
    });
    assert.deepEqual(runPolicies([parent, child], [policy]), [
      { policy: "stack-probe", enforcementLevel: "advisory", urn: "", message: "config {} tags 0" },
      { policy: "stack-probe", enforcementLevel: "advisory", urn: "urn:x", message: "at" },
    ]);
    assert.deepEqual(
      resources.map((r) => [
        r.name,
        r.urn,
        r.type,
        r.parent?.name,
        r.dependencies.map((d) => d.name),
        r.opts.protect,
      ]),
      [
        ["parent", parent.urn, "test:index:Thing", undefined, [], false],
        ["child", child.urn, "test:index:Thing", "parent", ["parent"], false],
      ],
    );
    assert.equal(resources[1].props.c[0], 1);
    assert.equal(resources[1].isType(Thing as never), true);
    assert.equal(resources[1].isType(Other as never), false);
    assert.equal(resources[1].asType(Other as never), undefined);
    assert.deepEqual(resources[1].propertyDependencies, {});
    // An unknown read by a stack policy is advisory, at no resource.
    const reads = stackPolicy((args) => void args.resources[0].props.value);
    assert.deepEqual(runPolicies([input("u", { value: "[unknown]" })], [reads]), [
      {
        policy: "stack-probe",
        enforcementLevel: "advisory",
        urn: "",
        message:
          "can't run policy 'stack-probe' during preview: string value at .value can't be known during preview",
      },
    ]);
  });

  it("skips what a policy calls not applicable, refuses asynchronous policies, and lets other errors through", () => {
    const r = input("one", {});
    const skip = resourcePolicy((args, report) => {
      report("before");
      args.notApplicable();
      report("after");
    });
    assert.deepEqual(
      runPolicies([r], [skip]).map((v) => v.message),
      ["before"],
    );
    const skipStack = stackPolicy((args) => args.notApplicable());
    assert.deepEqual(runPolicies([r], [skipStack]), []);
    assert.throws(
      () => runPolicies([r], [resourcePolicy(async () => undefined)]),
      /^Error: the offline harness runs synchronous policies only$/,
    );
    assert.throws(
      () =>
        runPolicies(
          [r],
          [
            resourcePolicy(() => {
              throw new RangeError("broken");
            }),
          ],
        ),
      /^RangeError: broken$/,
    );
  });

  /** The problems loadPolicyConfig finds in a config file holding `text`. */
  const problems = (text: string, policies: Policy[] = [resourcePolicy(() => undefined)]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-harness-"));
    try {
      fs.writeFileSync(path.join(dir, "config.probe.json"), text);
      return loadPolicyConfig("probe", dir, policies, "dev");
    } catch (err) {
      if (!(err instanceof PolicyConfigError)) throw err;
      assert.equal(err.name, "PolicyConfigError");
      assert.equal(err.message, err.problems.join("\n"));
      return err.problems.map((p) => p.replace(/^.*config\.probe\.json: /, ""));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  };

  it("loadPolicyConfig refuses a file that is no object of policies, and reserved names anywhere", () => {
    for (const text of ["[]", "1", "null", '"dev"'])
      assert.deepEqual(problems(text), ["must be a JSON object of policy names"], text);
    assert.deepEqual(
      problems('{"profile":"dev","probe":{"other":{"__proto__":{"x":1}},"prototype":1},"constructor":1}'),
      [
        "probe.other.__proto__: a reserved name (__proto__, constructor, prototype); not a policy or setting",
        "probe.prototype: a reserved name (__proto__, constructor, prototype); not a policy or setting",
        "constructor: a reserved name (__proto__, constructor, prototype); not a policy or setting",
      ],
    );
    for (const entry of ["5", "[]", "true"])
      assert.deepEqual(problems(`{"profile":"dev","probe":${entry}}`), [
        "probe: must be an enforcement level or an object",
      ]);
    assert.deepEqual(problems('{"profile":"dev","probe":null}'), [
      "probe: must be an enforcement level or an object",
    ]);
    assert.deepEqual(problems('{"profile":"dev","probe":{"toString":1}}'), [
      "probe.toString: unknown setting; expected one of enforcementLevel, limit, other",
    ]);
    assert.deepEqual(problems('{"profile":"dev","probe":{"limit":"3"}}'), [
      'probe.limit: "3" must be number',
    ]);
    // Every reason a value fails, joined.
    const named = resourcePolicy(() => undefined, {
      configSchema: { properties: { name: { type: "string", pattern: "^a", maxLength: 2 } } },
    });
    assert.deepEqual(problems('{"profile":"dev","probe":{"name":"bbb"}}', [named]), [
      'probe.name: "bbb" must NOT have more than 2 characters; must match pattern "^a"',
    ]);
  });

  it("loadPolicyConfig records a mandatory policy made advisory or disabled, and loosened settings only where they gate", () => {
    const mandatory = resourcePolicy(() => undefined, {
      configSchema: { properties: { requireThing: { type: "boolean", default: true } } },
    });
    const advisory = resourcePolicy(() => undefined, {
      name: "soft",
      enforcementLevel: "advisory",
      configSchema: { properties: { requireThing: { type: "boolean", default: true } } },
    });
    const both = [mandatory, advisory];
    const loosened = (settings: object) => {
      const result = problems(JSON.stringify({ profile: "dev", ...settings }), both);
      assert.ok(!Array.isArray(result), JSON.stringify(result));
      return result.loosened.map((l) => [l.policy, l.setting, l.from, l.to]);
    };
    assert.deepEqual(loosened({ probe: "advisory" }), [["probe", undefined, "mandatory", "advisory"]]);
    assert.deepEqual(loosened({ probe: { enforcementLevel: "disabled" } }), [
      ["probe", undefined, "mandatory", "disabled"],
    ]);
    assert.deepEqual(loosened({ probe: "remediate", soft: "mandatory" }), []);
    // An advisory policy switched off loosens nothing mandatory.
    assert.deepEqual(loosened({ soft: "disabled" }), []);
    assert.deepEqual(loosened({ probe: { requireThing: false } }), [
      ["probe", "requireThing", "true", "false"],
    ]);
    assert.deepEqual(loosened({ soft: { requireThing: false } }), []);
    assert.deepEqual(loosened({ soft: { enforcementLevel: "mandatory", requireThing: false } }), [
      ["soft", "requireThing", "true", "false"],
    ]);
    assert.deepEqual(loosened({ soft: { enforcementLevel: "remediate", requireThing: false } }), [
      ["soft", "requireThing", "true", "false"],
    ]);
  });
});
