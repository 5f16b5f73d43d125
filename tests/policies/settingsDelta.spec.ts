/**
 * What a policy config changes, unit by unit: which levels block, which settings loosen, the hard bounds
 * and how a loosening reads. Pure; tests/security/policyGate.spec.ts checks them through loadPolicyConfig.
 * Mutation testing runs it for policies/settingsDelta.ts.
 */
import { strict as assert } from "node:assert";
import {
  describeLoosening,
  effectiveLevel,
  isBlocking,
  loosens,
  settingBoundProblems,
  settingText,
} from "../../policies/settingsDelta";
import { PROMETHEUS_DURATION } from "../../policies/units";

const DURATION = { pattern: PROMETHEUS_DURATION.source };

describe("policy settings delta", () => {
  it("blocks on mandatory and remediate only, and enforces remediate as mandatory", () => {
    assert.deepEqual(["mandatory", "remediate", "advisory", "disabled", undefined].map(isBlocking), [
      true,
      true,
      false,
      false,
      false,
    ]);
    assert.deepEqual((["mandatory", "remediate", "advisory", "disabled"] as const).map(effectiveLevel), [
      "mandatory",
      "mandatory",
      "advisory",
      "disabled",
    ]);
  });

  it("reads a loosened level and a loosened setting", () => {
    const file = "policies/config.prod.json";
    assert.equal(
      describeLoosening({ policy: "prometheus-retention", from: "mandatory", to: "advisory", file }, "prod"),
      "loosened: prometheus-retention is advisory in prod (mandatory by default), set in policies/config.prod.json",
    );
    assert.equal(
      describeLoosening(
        { policy: "prometheus-retention", setting: "maxRetention", from: "30d", to: "60d", file },
        "prod",
      ),
      "loosened: prometheus-retention.maxRetention is 60d in prod (default 30d), set in policies/config.prod.json",
    );
    assert.deepEqual(["30d", 2, true, ["a", "b"], { cpu: "1" }].map(settingText), [
      "30d",
      "2",
      "true",
      '["a","b"]',
      '{"cpu":"1"}',
    ]);
  });

  describe("hard bounds", () => {
    const cases: [string, unknown, { pattern?: string }, string[]][] = [
      ["maxRetention", "30d", DURATION, []],
      ["maxRetention", "1h", DURATION, []],
      ["maxRetention", "400d", DURATION, []],
      ["maxRetention", "59m", DURATION, ["59m is outside the hard bounds 1h to 400d"]],
      ["maxRetention", "401d", DURATION, ["401d is outside the hard bounds 1h to 400d"]],
      ["minInterval", "1s", DURATION, []],
      ["minInterval", "1h", DURATION, []],
      ["minInterval", "500ms", DURATION, ["500ms is outside the hard bounds 1s to 1h"]],
      ["minInterval", "3601s", DURATION, ["3601s is outside the hard bounds 1s to 1h"]],
      ["maxHeartbeatRepeat", "10s", DURATION, []],
      ["maxHeartbeatRepeat", "1d", DURATION, []],
      ["maxHeartbeatRepeat", "9s", DURATION, ["9s is outside the hard bounds 10s to 1d"]],
      ["maxHeartbeatRepeat", "86401s", DURATION, ["86401s is outside the hard bounds 10s to 1d"]],
      ["maxHeartbeatGroupWait", "0s", DURATION, []],
      ["maxHeartbeatGroupWait", "61m", DURATION, ["61m is outside the hard bounds 0s to 1h"]],
      ["maxFor", "7d", DURATION, []],
      ["maxFor", "8d", DURATION, ["8d is outside the hard bounds 0s to 7d"]],
      // Any other duration setting: 0 to 400 days.
      ["maxStaleness", "400d", DURATION, []],
      ["maxStaleness", "401d", DURATION, ["401d is outside the hard bounds 0s to 400d"]],
      // Only a duration setting (by its schema's pattern) is a duration; a non-duration has no bounds here.
      ["maxRetention", "401d", {}, []],
      ["maxRetention", "401d", { pattern: "^\\d+d$" }, []],
      ["maxRetention", "forever", DURATION, []],
      ["minPrometheusReplicas", 10, {}, []],
      ["minPrometheusReplicas", 11, {}, ["11 is above the hard bound 10"]],
      ["minReplicas", 11, {}, ["11 is above the hard bound 10"]],
      ["minPrometheusReplicas", "11", {}, []],
      ["maxPrometheusReplicas", 11, {}, []],
      ["xminPrometheusReplicas", 11, {}, []],
      ["minPrometheusReplicasPerZone", 11, {}, []],
      [
        "ceilings",
        { prometheus: { cpu: "256", memory: "4Ti" }, thanos: { cpu: "1m", memory: "1Mi" } },
        {},
        [],
      ],
      [
        "ceilings",
        { prometheus: { cpu: "257", memory: "5Ti" }, thanos: { cpu: "0", memory: "1023Ki" } },
        {},
        [
          "prometheus.cpu 257 is outside (0, 256] cores",
          "prometheus.memory 5Ti is outside 1Mi to 4Ti",
          "thanos.cpu 0 is outside (0, 256] cores",
          "thanos.memory 1023Ki is outside 1Mi to 4Ti",
        ],
      ],
      // Not quantities, or no ceiling at all: the schema refuses them, not the bounds.
      ["ceilings", { prometheus: { cpu: "lots", memory: "plenty" }, thanos: null, grafana: {} }, {}, []],
      ["ceilings", null, {}, []],
      ["ceilings", "256", {}, []],
      ["maxCeilings", { prometheus: { cpu: "257" } }, {}, []],
    ];
    for (const [key, value, schema, problems] of cases)
      it(`${key} ${JSON.stringify(value)}${schema.pattern ? "" : " (no duration pattern)"}`, () =>
        assert.deepEqual(settingBoundProblems(key, value, schema), problems));
  });

  describe("loosens", () => {
    const ceilings = {
      default: { cpu: "2", memory: "4Gi" },
      prometheus: { cpu: "8", memory: "32Gi" },
    };
    const cases: [string, unknown, unknown, boolean][] = [
      ["maxRetention", "30d", "30d", false],
      ["requiredLabels", ["team"], ["team"], false],
      // A bound with no default: setting one tightens.
      ["maxFor", undefined, "1h", false],
      ["minInterval", undefined, "1s", false],
      ["MaxFor", undefined, "1h", false],
      ["requireCpuLimit", undefined, true, true],
      ["threshold", undefined, 3, true],
      // Larger maximums and smaller minimums, durations and numbers alike (a duration read as seconds).
      ["maxRetention", "30d", "60d", true],
      ["maxRetention", "30d", "15d", false],
      ["maxFor", "1h", 3600, false],
      ["maxFor", "1h", 7200, true],
      ["MaxRetention", "30d", "60d", true],
      ["minInterval", "15s", "5s", true],
      ["minInterval", "15s", "30s", false],
      ["minPrometheusReplicas", 2, 1, true],
      ["minPrometheusReplicas", 2, 3, false],
      ["MinPrometheusReplicas", 2, 1, true],
      // Neither max nor min: any other number counts.
      ["burnRateFactor", 14.4, 20, true],
      ["burnRateFactor", 14.4, 10, true],
      // Not magnitudes: compared by shape.
      ["maxLabel", "abc", "abd", true],
      ["requireCpuLimit", true, false, true],
      ["requireCpuLimit", false, true, false],
      ["RequireCpuLimit", true, false, true],
      ["allowAnonymous", false, true, true],
      ["allowAnonymous", true, false, true],
      // Fewer required items loosen; more allowed items loosen.
      ["requiredLabels", ["team", "severity"], ["team"], true],
      ["requiredLabels", ["team"], ["team", "severity"], false],
      ["requiredLabels", [1], ["1"], false],
      ["allowedKinds", ["Service"], ["Service", "Secret"], true],
      ["allowedKinds", ["Service", "Secret"], ["Service"], false],
      ["allowedKinds", [1], ["1"], false],
      // Ceilings: any component above its own ceiling, or above the default one.
      ["ceilings", ceilings, { ...ceilings, thanos: { cpu: "2", memory: "4Gi" } }, false],
      ["ceilings", ceilings, { prometheus: { cpu: "4", memory: "16Gi" } }, false],
      ["ceilings", ceilings, { prometheus: { cpu: "16", memory: "32Gi" } }, true],
      ["ceilings", ceilings, { prometheus: { cpu: "8", memory: "64Gi" } }, true],
      ["ceilings", ceilings, { thanos: { cpu: "3", memory: "4Gi" } }, true],
      ["ceilings", ceilings, { thanos: { cpu: "2", memory: "5Gi" } }, true],
      ["ceilings", ceilings, { prometheus: { memory: "32Gi" } }, true],
      ["ceilings", ceilings, { prometheus: { cpu: "8" } }, true],
      ["ceilings", ceilings, { prometheus: null }, true],
      ["ceilings", { prometheus: ceilings.prometheus }, { thanos: { cpu: "1", memory: "1Gi" } }, true],
      ["ceilings", ceilings, ["prometheus"], true],
      ["ceilings", null, { prometheus: { cpu: "1", memory: "1Gi" } }, true],
      ["maxCeilings", ceilings, { prometheus: { cpu: "4", memory: "16Gi" } }, true],
      // Only a leading max or min is a bound, only a leading require a requirement.
      ["requireMinimum", undefined, true, true],
      ["burstMax", 3, 2, true],
      ["burstMin", 2, 3, true],
      ["strictRequire", false, true, true],
      ["extraRequired", ["a", "b"], ["a"], false],
      // The same magnitude written another way is no change; an unreadable one is.
      ["minInterval", "60s", "1m", false],
      ["maxFor", "1h", "forever", true],
      ["minInterval", "forever", "1s", true],
      ["requireCpuLimit", true, "false", true],
      [
        "ceilings",
        ceilings,
        { prometheus: { cpu: "16", memory: "32Gi" }, thanos: { cpu: "1", memory: "1Gi" } },
        true,
      ],
      // A shape it does not know: the same is no change, any difference counts.
      ["mode", "strict", "strict", false],
      ["limits", { a: 1 }, { a: 1 }, false],
      ["mode", "strict", "lenient", true],
      ["limits", { a: 1 }, { a: 2 }, true],
    ];
    for (const [key, before, after, loosened] of cases)
      it(`${key}: ${JSON.stringify(before)} → ${JSON.stringify(after)} ${loosened ? "loosens" : "does not loosen"}`, () =>
        assert.equal(loosens(key, before, after), loosened));
  });
});
