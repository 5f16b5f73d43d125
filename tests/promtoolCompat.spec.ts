import { strict as assert } from "node:assert";
import { beyondPromtool, forPromtool, parseVersion } from "../plan/promtoolCompat";

describe("what an older promtool cannot read", () => {
  it("reads the version promtool and amtool print", () => {
    assert.equal(parseVersion("promtool, version 2.42.0+ds (branch: debian/sid, revision: x)"), "2.42.0");
    assert.equal(parseVersion("amtool, version 0.25.0 (branch: HEAD)"), "0.25.0");
    assert.equal(parseVersion("no version here"), undefined);
  });

  it("leaves quoted UTF-8 names to promtool 3 and new functions to newer than 2.42", () => {
    const utf8 = { alert: "A", expr: '{"my.metric"} > 0' };
    assert.equal(beyondPromtool(utf8, "2.42.0"), "it uses quoted UTF-8 names (Prometheus 3)");
    assert.equal(beyondPromtool(utf8, "3.0.0"), undefined);
    assert.equal(
      beyondPromtool({ record: "my.record", expr: "up" }, "2.55.1"),
      "it uses quoted UTF-8 names (Prometheus 3)",
    );
    assert.equal(
      beyondPromtool({ alert: "A", expr: "up", labels: { "team.name": "x" } }, "2.42.0"),
      "it uses quoted UTF-8 names (Prometheus 3)",
    );
    const newer = { alert: "A", expr: 'sort_by_label(limitk(2, up), "job") > 0' };
    assert.equal(beyondPromtool(newer, "2.42.0"), "it does not know sort_by_label(), limitk");
    assert.equal(beyondPromtool(newer, "3.5.0"), undefined);
    assert.equal(
      beyondPromtool({ alert: "A", expr: "histogram_quantile(0.9, rate(x_bucket[5m])) > 1" }, "2.42.0"),
      undefined,
    );
  });

  it("keeps the other rules and maps what promtool sees back to the file's indexes", () => {
    const groups = [
      {
        name: "a",
        rules: [
          { record: "a:b:c", expr: "up" },
          { alert: "U", expr: '{"x.y"}' },
          { alert: "V", expr: "up == 0" },
        ],
      },
    ];
    const result = forPromtool(groups, "2.42.0");
    assert.deepEqual(result.groups, [{ name: "a", rules: [groups[0].rules[0], groups[0].rules[2]] }]);
    assert.deepEqual(result.kept, [[0, 2]]);
    assert.deepEqual(result.unchecked, [
      {
        group: "a",
        groupIndex: 0,
        ruleIndex: 1,
        rule: "U",
        reason: "it uses quoted UTF-8 names (Prometheus 3)",
      },
    ]);
  });
});
