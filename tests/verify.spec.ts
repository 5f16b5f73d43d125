import { strict as assert } from "node:assert";
import { expectationsOf, formatText, main } from "../plan/verify";
import { planOf, planTeamOf } from "./helpers/plan";

/** The payments team fixture, planned against the prod platform fixture's plan. */
async function planTeam() {
  return planTeamOf("payments", (await planOf("prod")).plan!, "prod");
}

/** Runs the verify command, capturing what it prints. */
async function verifyCli(args: string[]) {
  const printed: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => printed.push(a.join(" "));
  console.error = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    return { code: await main(args), printed: printed.join("\n") };
  } finally {
    Object.assign(console, saved);
  }
}

describe("verify: what a deployed plan must show", () => {
  it("expects the dev plan's scrape pools, rule groups and receivers under the operator's names", async () => {
    const exp = expectationsOf((await planOf("dev")).plan!);
    assert.deepEqual(exp.scrapePools.map((p) => p.pool).sort(), [
      "probe/rust-app/rust-app-health",
      "serviceMonitor/rust-app/rust-app/0",
    ]);
    assert.deepEqual(exp.ruleGroups.map((g) => `${g.filePrefix}${g.group}`).sort(), [
      "monitoring-kube-monitoring-platform-kube-monitoring.monitoring-pipeline",
      "monitoring-kube-monitoring-platform-kube-monitoring.scrape-limits",
      "rust-app-rust-app-rust-app.golden-signals",
      "rust-app-rust-app-rust-app.probes",
      "rust-app-rust-app-rust-app.recording",
      "rust-app-rust-app-rust-app.slo",
    ]);
    assert.ok(exp.receivers.includes("monitoring/platform/watchdog-heartbeat"));
    assert.ok(exp.receivers.includes("rust-app/rust-app/audit-webhook"));
    assert.equal(exp.thanos, undefined);
  });

  it("expects Thanos and two Alertmanager peers in prod", async () => {
    const exp = expectationsOf((await planOf("prod")).plan!);
    assert.deepEqual(exp.thanos, { sidecarJob: "kps-thanos-discovery", compactorJob: "thanos-compactor" });
    assert.equal(exp.alertmanagerReplicas, 2);
    assert.deepEqual(exp.scrapePools.map((p) => p.pool).sort(), [
      "serviceMonitor/monitoring/eks-control-plane/0",
      "serviceMonitor/monitoring/eks-control-plane/1",
      "serviceMonitor/monitoring/thanos/0",
    ]);
  });

  it("expects only a team stack's own pools, groups and receivers", async () => {
    const { plan } = await planTeam();
    const exp = expectationsOf(plan!);
    assert.deepEqual(exp.scrapePools.map((p) => p.pool).sort(), [
      "serviceMonitor/payments-checkout/checkout/0",
      "serviceMonitor/payments-ledger/ledger/0",
    ]);
    assert.deepEqual(exp.receivers, [
      "payments-checkout/checkout/payments-pager",
      "payments-checkout/checkout/payments-slack",
      "payments-ledger/ledger/payments-slack",
    ]);
  });

  it("refuses API URLs that carry credentials, without printing them", async () => {
    for (const url of ["http://u:S3NT1NEL@127.0.0.1:9090", "http://127.0.0.1:9090/?token=S3NT1NEL"]) {
      const { code, printed } = await verifyCli([
        "dev",
        "--prometheus-url",
        url,
        "--alertmanager-url",
        "http://127.0.0.1:1",
      ]);
      assert.equal(code, 1);
      assert.equal(
        printed,
        "--prometheus-url: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead",
      );
    }
  });

  it("writes failures first, then the count", () => {
    assert.equal(
      formatText([
        { check: "watchdog", ok: true, detail: "firing" },
        { check: "targets a", ok: false, detail: "1 of 1 targets down" },
      ]),
      "FAIL  targets a  1 of 1 targets down\nok    watchdog   firing\n\n1 of 2 checks failed",
    );
  });
});
