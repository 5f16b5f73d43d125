/**
 * Safe partial destroy: in prod nothing a protected resource depends on may be deleted from under it,
 * so every resource a protected one waits for is protected too.
 */
import { strict as assert } from "node:assert";
import { planOf } from "./helpers/plan";

describe("protection in a prod plan", () => {
  for (const stack of ["prod", "everything"]) {
    it(`protects, in ${stack}, everything a protected resource depends on`, async () => {
      const { plan } = await planOf(stack);
      const byUrn = new Map(plan!.resources.map((r) => [r.urn, r]));
      const protectedOnes = plan!.resources.filter((r) => r.protect);
      assert.ok(protectedOnes.some((r) => r.type === "kubernetes:helm.sh/v3:Release"));
      const exposed = protectedOnes.flatMap((r) =>
        r.dependsOn
          .map((urn) => byUrn.get(urn))
          .filter((dep) => dep && !dep.protect)
          .map((dep) => `${r.type}::${r.name} → ${dep!.type}::${dep!.name}`),
      );
      assert.deepEqual(exposed, []);
    });
  }

  it("leaves dev unprotected, so it can be torn down", async () => {
    const { plan } = await planOf("dev");
    assert.deepEqual(
      plan!.resources.filter((r) => r.protect).map((r) => r.name),
      [],
    );
  });
});
