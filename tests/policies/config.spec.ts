import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { allPolicies } from "../../policies/all";
import { PolicyConfigError, loadPolicyConfig } from "../../policies/harness";
import { planStack } from "../../plan/plan";
import { planWithConfig, projectDir, writeConfigDir } from "../helpers/plan";

/** The problems loadPolicyConfig reports for `config.<stack>.json` holding `text` (or no file at all). */
function problemsOf(text: string | undefined, environment = "prod", stack = "probe"): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-policy-config-"));
  try {
    if (text !== undefined) fs.writeFileSync(path.join(dir, `config.${stack}.json`), text);
    loadPolicyConfig(stack, dir, allPolicies, environment);
    return [];
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    return err.problems.map((p) => p.replaceAll(dir + path.sep, ""));
  }
}

describe("policy config files", () => {
  it("refuses an invalid level instead of ignoring it", () => {
    assert.deepEqual(
      problemsOf('{"profile":"prod","prometheus-retention":{"enforcementLevel":"Mandatory"}}'),
      [
        'config.probe.json: prometheus-retention.enforcementLevel: "Mandatory" is not a level; expected advisory, mandatory, remediate, disabled',
      ],
    );
  });

  it("refuses a misspelled policy and an unknown setting, naming the file and key", () => {
    assert.deepEqual(
      problemsOf('{"profile":"prod","prometheus-retension":"disabled","alert-delivery":{"maxRepeat":"1m"}}'),
      [
        `config.probe.json: prometheus-retension: unknown policy; expected one of ${allPolicies.map((p) => p.name).join(", ")}`,
        "config.probe.json: alert-delivery.maxRepeat: unknown setting; expected one of enforcementLevel, maxHeartbeatRepeat, maxHeartbeatGroupWait",
      ],
    );
  });

  it("refuses a threshold its schema does not accept", () => {
    const [problem] = problemsOf('{"profile":"prod","prometheus-retention":{"maxRetention":"forever"}}');
    assert.match(
      problem,
      /^config\.probe\.json: prometheus-retention\.maxRetention: "forever" must match pattern/,
    );
  });

  it("holds every policy's config schema to JSON Schema's meta-schema (the harness compiles them unchecked)", () => {
    const ajv = new Ajv({ strict: false });
    for (const policy of allPolicies) {
      assert.equal(ajv.validateSchema(policy.configSchema), true, `${policy.name}: ${ajv.errorsText()}`);
      for (const [key, schema] of Object.entries(policy.configSchema.properties))
        assert.equal(ajv.validateSchema(schema), true, `${policy.name}.${key}: ${ajv.errorsText()}`);
    }
    // The check can fail: a misspelt type is refused.
    assert.equal(ajv.validateSchema({ type: "strng" }), false);
  });

  it("needs a file per stack, valid JSON and a declared profile that fits the environment", () => {
    assert.deepEqual(problemsOf(undefined), [
      "probe: no policy config config.probe.json; every stack needs one: copy policies/config.prod.json (profile prod) " +
        "or policies/config.dev.json (profile dev) to config.probe.json",
    ]);
    assert.deepEqual(problemsOf("{ nope"), ["config.probe.json: not valid JSON at character 2"]);
    assert.deepEqual(problemsOf("{}"), [
      "config.probe.json: profile: undefined is not a profile; expected dev or prod",
    ]);
    assert.deepEqual(problemsOf('{"profile":"dev"}', "prod"), [
      'config.probe.json: profile: "dev" is not allowed for a prod environment; use "prod"',
    ]);
    assert.deepEqual(problemsOf('{"profile":"dev"}', "dev"), []);
  });

  it("allows loosening a mandatory policy but prints it, records it in the plan and the PR comment", async () => {
    const result = await planWithConfig(
      "loose",
      { "kube-monitoring:environment": "dev", "kube-monitoring:clusterName": "loose" },
      undefined,
      { profile: "dev", "helm-chart-pinned": "disabled" },
    );
    assert.deepEqual(result.plan!.loosened, [
      { policy: "helm-chart-pinned", from: "mandatory", to: "disabled", file: result.plan!.loosened[0].file },
    ]);
    assert.match(
      result.report,
      /^loosened levels in loose \(mandatory by default; .*config\.loose\.json\): disabled: helm-chart-pinned$/m,
    );
  });

  it("exits 1 naming the file when the stack has no policy config", async () => {
    const dir = writeConfigDir("production", {
      "kube-monitoring:environment": "prod",
      "kube-monitoring:clusterName": "prod",
    });
    try {
      const result = await planStack({
        projectDir,
        configDir: dir,
        policyConfigDir: dir,
        stack: "production",
      });
      assert.equal(result.exitCode, 1);
      assert.equal(result.plan, undefined);
      assert.match(
        result.report,
        /^production: no policy config .*config\.production\.json; every stack needs one/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
