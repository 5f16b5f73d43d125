/** Floors and bounds: the interval floor on every interval, volume sizes, container floors, byte sizes. */
import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { devPolicyConfig, planWithConfig } from "../helpers/plan";
import { fullConfig, namespaced, withLeaf } from "./fixture";

function problems(at: (string | number)[], value: unknown): string[] {
  try {
    parseStackConfig("bounds", withLeaf(fullConfig(), at, value));
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

describe("floors and bounds", () => {
  it("holds probes, rule groups and federation to the interval floor (exit 2, each named)", async () => {
    let raw = fullConfig();
    raw = withLeaf(raw, ["apps", 0, "probes", 0, "interval"], "1s");
    raw = withLeaf(raw, ["apps", 0, "ruleGroups", 0, "interval"], "500ms");
    raw = withLeaf(raw, ["federation", 0, "interval"], "2s");
    raw = withLeaf(raw, ["federation", 0, "scrapeTimeout"], "1s");
    const result = await planWithConfig("floors", namespaced(raw), undefined, devPolicyConfig());
    assert.equal(result.exitCode, 2, result.report);
    const messages = result
      .plan!.violations.filter((v) => v.policy === "monitor-targets-resolve")
      .map((v) => v.message);
    assert.ok(
      messages.some((m) => /^Probe shop\/\S+: interval 1s is below the 10s floor\.$/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => m.endsWith("group shop.shop-extra interval 500ms is below the 10s floor.")),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => m.endsWith("federation scrape_interval 2s is below the 10s floor.")),
      messages.join("\n"),
    );
  });

  it("bounds every volume: above 0 and at most 64Ti", () => {
    const volumes: (string | number)[][] = [
      ["prometheus", "storageSize"],
      ["alertmanager", "storageSize"],
      ["grafana", "persistence", "size"],
    ];
    for (const at of volumes) {
      for (const size of ["0", "0Gi", "1", "512Mi", "100Pi", "1Ei"]) {
        const found = problems(at, size);
        assert.match(
          found[0],
          new RegExp(`^bounds: ${at.join("\\.")}: "${size}" is not a volume size between 1Gi and 64Ti`),
        );
      }
      assert.deepEqual(problems(at, "20Gi"), [], at.join("."));
    }
  });

  it("refuses memory and CPU below a floor: a 1-byte limit, 0.0001 CPU", () => {
    const res = (requests: Record<string, string>, limits: Record<string, string>) =>
      problems(["grafana", "resources"], { requests, limits });
    assert.deepEqual(res({ cpu: "100m", memory: "1" }, { memory: "1" }), [
      "bounds: grafana.resources.requests.memory: 1 is below the floor of 4Mi",
      "bounds: grafana.resources.limits.memory: 1 is below the floor of 4Mi",
    ]);
    assert.deepEqual(res({ cpu: "0.0001", memory: "128Mi" }, { memory: "256Mi" }), [
      "bounds: grafana.resources.requests.cpu: 0.0001 is below the floor of 1m",
    ]);
    assert.deepEqual(res({ cpu: "100m", memory: "128Mi" }, { cpu: "0.0005", memory: "256Mi" }), [
      "bounds: grafana.resources.limits.cpu: 0.0005 is below the floor of 1m",
      "bounds: grafana.resources.requests.cpu: 100m is more than limits.cpu 0.0005",
    ]);
  });

  it("refuses byte sizes that are not whole bytes or are too small to mean anything", () => {
    for (const size of ["0.5B", "100B", "1.5KiB"])
      assert.deepEqual(problems(["prometheus", "retentionSize"], size), [
        `bounds: prometheus.retentionSize: ${size} is not a whole number of bytes of at least 1MiB`,
      ]);
    assert.deepEqual(problems(["prometheus", "retentionSize"], "5GiB"), []);
  });
});
