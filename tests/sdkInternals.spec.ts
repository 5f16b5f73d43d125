import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "../components/sdkInternals";
import { runProgram } from "../plan/runtime";

describe("SDK internals the program relies on", () => {
  it("isConfigSecret tells the keys the CLI marks secret from the others", () => {
    pulumi.runtime.setAllConfig(
      { "kube-monitoring:remoteWrite": "[]", "kube-monitoring:environment": "dev" },
      ["kube-monitoring:remoteWrite"],
    );
    assert.equal(isConfigSecret("kube-monitoring:remoteWrite"), true);
    assert.equal(isConfigSecret("kube-monitoring:environment"), false);
  });
});

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

describe("the mock monitor the offline plan records from", () => {
  it("hands over each registration's type, name, parent, dependencies, protect and inputs", async () => {
    const run = await runProgram({
      project: "contract",
      stack: "test",
      config: {},
      program: () => {
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
        const first = new Thing("first", { size: 1 }, { parent });
        new Thing(
          "second",
          { token: pulumi.secret("S3NT1NEL") },
          { parent, dependsOn: [first], protect: true, retainOnDelete: true },
        );
        return {};
      },
    });
    const byName = Object.fromEntries(run.resources.map((r) => [r.name, r]));
    assert.deepEqual(Object.keys(byName).sort(), ["contract-test", "first", "parent", "second"]);
    assert.equal(byName.second.type, "test:index:Thing");
    assert.equal(byName.second.parent, byName.parent.urn);
    assert.deepEqual(byName.second.dependsOn, [byName.first.urn]);
    assert.equal(byName.second.protect, true);
    assert.equal(byName.second.retainOnDelete, true);
    assert.equal(byName.second.custom, true);
    assert.equal(byName.parent.custom, false);
    assert.deepEqual(byName.first.inputs, { size: 1 });
    assert.ok(!JSON.stringify(run.resources).includes("S3NT1NEL"));
  });
});
