import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { prComment } from "../plan/comment";
import { planCli } from "./helpers/cli";
import { fixturesDir, projectDir, writeConfigDir } from "./helpers/plan";

// The plan's command line, as users and CI run it: each case plans in its own output directory, so none
// shares the fixture plans of the other specs.
describe("offline plan", () => {
  describe("command line", () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ["-r", "./plan/register.js", "plan/cli.ts", ...args], {
        cwd: projectDir,
        encoding: "utf8",
      });

    it("writes plan.json and manifests for dev", () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-out-"));
      try {
        const run = cli(["dev", "--out", out, "--config-dir", fixturesDir]);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /kubernetes:helm\.sh\/v3:Release\s+kps-release/);
        const plan = JSON.parse(fs.readFileSync(path.join(out, "dev", "plan.json"), "utf8"));
        assert.deepEqual(Object.keys(plan), [
          "stack",
          "project",
          "resources",
          "outputs",
          "violations",
          "loosened",
          "checks",
          "alertRouting",
        ]);
        const release = plan.resources.find((r: { name: string }) => r.name === "kps-release");
        assert.deepEqual(Object.keys(release).sort(), [
          "custom",
          "dependsOn",
          "inputs",
          "name",
          "parent",
          "protect",
          "retainOnDelete",
          "type",
          "urn",
        ]);
        assert.deepEqual(fs.readdirSync(path.join(out, "dev", "manifests")), [
          "alert-routing.md",
          "alertmanager.effective.yaml",
          "alertmanagerconfig-monitoring-platform.yaml",
          "alertmanagerconfig-rust-app-rust-app.yaml",
          "clusterrole-monitoring-grafana-sidecar-configmaps.yaml",
          "clusterrolebinding-monitoring-grafana-sidecar-configmaps.yaml",
          "configmap-monitoring-dashboard-kube-monitoring-capacity.yaml",
          "configmap-monitoring-dashboard-platform-alertmanager.yaml",
          "configmap-monitoring-dashboard-rust-app-rust-app.yaml",
          "configmap-monitoring-dashboard-slo-rust-app-rust-app.yaml",
          "deployment-rust-app-rust-app.yaml",
          "helm-release-kps.values.yaml",
          "helm-release-prometheus-blackbox-exporter.values.yaml",
          "helm-release-prometheus-operator-crds.values.yaml",
          "helm-release-prometheus-pushgateway.values.yaml",
          "namespace-monitoring.yaml",
          "namespace-rust-app.yaml",
          "networkpolicy-monitoring-alertmanager.yaml",
          "networkpolicy-monitoring-prometheus.yaml",
          "networkpolicy-monitoring-pushgateway.yaml",
          "priorityclass-monitoring-critical.yaml",
          "probe-rust-app-rust-app-health.yaml",
          "prometheusrule-monitoring-kube-monitoring-platform.yaml",
          "prometheusrule-rust-app-rust-app.yaml",
          "secret-monitoring-grafana-admin.yaml",
          "service-rust-app-rust-app.yaml",
          "servicemonitor-rust-app-rust-app.yaml",
        ]);
        const values = parse(
          fs.readFileSync(path.join(out, "dev", "manifests", "helm-release-kps.values.yaml"), "utf8"),
        );
        assert.equal(values.prometheus.prometheusSpec.retention, "2d");
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it("exits 1 naming the key for a bad duration, and writes nothing", async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-out-"));
      const dir = writeConfigDir("typo", {
        "kube-monitoring:environment": "dev",
        "kube-monitoring:clusterName": "dev-1",
        "kube-monitoring:prometheus": { retention: "15 days" },
      });
      fs.writeFileSync(path.join(dir, "config.typo.json"), JSON.stringify({ profile: "dev" }));
      try {
        const run = await planCli(["typo", "--out", out, "--config-dir", dir]);
        assert.equal(run.status, 1);
        assert.equal(
          run.stderr.trim(),
          'Pulumi.typo.yaml:5: prometheus.retention: "15 days" is not a Prometheus duration (like 15d or 12h)',
        );
        assert.deepEqual(fs.readdirSync(out), []);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("diffs a stack against its earlier plan into a bounded Markdown comment, and merges stacks into one comment", async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-out-"));
      const before = path.join(out, "before");
      const changed = path.join(out, "changed");
      fs.mkdirSync(changed);
      for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "config.prod.json"])
        fs.copyFileSync(path.join(fixturesDir, f), path.join(changed, f));
      const prodFile = path.join(changed, "Pulumi.prod.yaml");
      const prodConfig = parse(fs.readFileSync(prodFile, "utf8"));
      prodConfig.config["kube-monitoring:prometheus"].replicas = 3;
      fs.writeFileSync(prodFile, stringify(prodConfig));
      try {
        assert.equal((await planCli(["dev", "--out", before, "--config-dir", fixturesDir])).status, 0);
        assert.equal((await planCli(["prod", "--out", before, "--config-dir", fixturesDir])).status, 0);
        const md = path.join(out, "diff.md");
        const run = await planCli([
          "prod",
          "--out",
          path.join(out, "after"),
          "--config-dir",
          changed,
          "--compare",
          path.join(before, "prod", "plan.json"),
          "--markdown",
          md,
        ]);
        assert.equal(run.status, 0, run.stderr);
        // The release, and the store gateway: its series limit is expectedActiveSeries × Prometheus replicas.
        assert.match(
          run.stdout,
          /^Changes to stack prod against prod:\n(?: ~ {2}.+\n){2}[^]*\nprod: planned \(exit 0\); ~2 to update, 65 unchanged; 0 mandatory, 0 advisory; /m,
        );
        const text = fs.readFileSync(md, "utf8");
        // The value as a YAML diff; the store gateway's limit follows the replicas.
        assert.ok(
          text.includes("```diff\n@@ values.prometheus.prometheusSpec.replicas @@\n- 2\n+ 3\n```"),
          text,
        );
        assert.ok(
          text.includes("--store.limits.request-series=1200000"),
          "the store gateway's limit follows",
        );
        assert.ok(text.length < 65_536);

        const body = prComment(before, path.join(out, "none"), ["dev", "prod"]).markdown;
        assert.match(body, /^<!-- kube-monitoring offline plan -->/);
        assert.match(body, /- \*\*dev\*\* \(against dev \(no base plan\)\): \+35 to create/);
        assert.match(body, /- \*\*prod\*\* \(against prod \(no base plan\)\): \+67 to create/);
        // A loosened gate is at the top of the comment, before any per-stack detail.
        assert.match(
          body,
          /\n> ⚠️ \*\*dev\*\*, new in this PR: `alert-delivery` is \*\*advisory\*\* \(mandatory by default\), set in `tests\/fixtures\/stacks\/config\.dev\.json`\n/,
        );
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it("exits 1 for a stack without a stack file", async () => {
      const run = await planCli(["staging"]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /staging: no stack file Pulumi\.staging\.yaml/);
    });
  });
});
