import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { check, formatFinding, main } from "../plan/check";

const fixtures = path.join(__dirname, "fixtures", "check");
const at = (file: string) => path.join(fixtures, file);

describe("npm run check: linting existing rules and monitors without a stack", () => {
  it("finds no mandatory problem in rules written the way kube-prometheus writes them", () => {
    const findings = check([at("upstream.rules.yaml")]);
    assert.deepEqual(
      findings.filter((f) => f.level === "mandatory"),
      [],
    );
    // Only the advice that those alerts link no runbook.
    assert.deepEqual([...new Set(findings.map((f) => f.policy))], ["alert-runbook-url"]);
  });

  it("reports each mistake as file:line: policy: message", () => {
    assert.deepEqual(check([at("mistakes.rules.yaml")]).map(formatFinding), [
      `${at("mistakes.rules.yaml")}:1: alert-rule-quality: PrometheusRule mistakes.rules.yaml: group mistakes rule MemoryGrowing: rate() over process_resident_memory_bytes, whose name says gauge (counters end in _total, _count, _sum or _bucket); use deriv() or delta() for gauges.`,
      `${at("mistakes.rules.yaml")}:1: alert-rule-quality: PrometheusRule mistakes.rules.yaml: group mistakes rule NothingDown: absent(up{job="api"} == 0) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone.`,
      `${at("mistakes.rules.yaml")}:1: alert-rule-quality: PrometheusRule mistakes.rules.yaml: group mistakes rule NothingDown: for 30d is longer than 1d; the alert would page after the damage is done.`,
    ]);
  });

  it("checks monitors against the Services beside them, matchExpressions included, and only advises on the rest", () => {
    assert.deepEqual(check([at("external-app.yaml")]).map(formatFinding), [
      `${at("external-app.yaml")}:17: monitor-targets-resolve: ServiceMonitor shop/shop: its selector {"matchExpressions":[{"key":"app","operator":"In","values":["shop-api"]}]} matches no Service this stack creates in shop; Prometheus would find no targets.`,
      `${at("external-app.yaml")}:2: monitor-targets-verifiable (advisory): ServiceMonitor billing/billing: cannot verify its targets: this stack creates no Service in billing; check that something deployed elsewhere carries {"app":"billing"}.`,
    ]);
  });

  it("fails promtool's duplicate-rule lint", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-check-"));
    try {
      const file = path.join(dir, "dup.rules.yaml");
      fs.writeFileSync(
        file,
        "groups:\n  - name: a\n    rules:\n      - { record: 'x:y:z', expr: vector(1) }\n      - { record: 'x:y:z', expr: vector(1) }\n",
      );
      const [finding] = check([file]);
      assert.equal(finding.policy, "promtool");
      assert.match(finding.message, /lint error 1 duplicate rule\(s\) found/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 0 clean, 2 on a mandatory finding, 1 on unreadable input", async () => {
    const log = console.log;
    const error = console.error;
    console.log = () => undefined;
    console.error = () => undefined;
    try {
      assert.equal(await main([at("upstream.rules.yaml")]), 0);
      assert.equal(await main([fixtures]), 2);
      assert.equal(await main([at("nope.yaml")]), 1);
      assert.equal(await main([at("upstream.rules.yaml"), "--format", "json"]), 0);
    } finally {
      console.log = log;
      console.error = error;
    }
  });
});
