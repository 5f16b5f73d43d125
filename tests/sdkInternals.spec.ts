import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "../components/sdkInternals";

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
