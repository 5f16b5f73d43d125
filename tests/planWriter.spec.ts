import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ruleFiles } from "../plan/alertmanagerConfig";
import { Plan, manifestsOf, writePlan } from "../plan/plan";
import {
  ALL_MANIFESTS_UP_TO,
  ManifestEntry,
  OBJECTS_INDEX_FILE,
  RULES_DIR,
  defaultManifestMode,
  writeJsonStreaming,
} from "../plan/planWriter";
import { isPlanJson } from "../plan/planFile";
import { planCli } from "./helpers/cli";
import { planOf } from "./helpers/plan";

const DERIVED = ["alert-routing.md", "alertmanager.effective.yaml"];

describe("writing a plan", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-writer-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("streams plan.json byte for byte as JSON.stringify(plan, null, 2) writes it", async () => {
    const values: Record<string, unknown>[] = [
      {},
      { a: [], b: {}, c: undefined, d: null },
      { list: [1, undefined, "x\ny", { deep: [[], [1, { e: "é\u2028" }]] }], after: { f: () => 1 } },
      { only: [{ x: 1 }] },
    ];
    for (const [i, value] of values.entries()) {
      const file = path.join(tmp, `${i}.json`);
      await writeJsonStreaming(file, value);
      assert.equal(fs.readFileSync(file, "utf8"), JSON.stringify(value, null, 2) + "\n");
    }
  });

  it("waits for the keys a pending promise fills in, having written the ones before it", async () => {
    const value: Record<string, unknown> = { resources: [{ a: 1 }], checks: [], after: 1 };
    const file = path.join(tmp, "plan.json");
    let fill!: () => void;
    const pending = new Promise<void>((resolve) => (fill = resolve));
    const writing = writeJsonStreaming(file, value, { key: "checks", until: pending });
    // Let the writer reach the pending key: the resources are written, the checks not yet.
    await new Promise((resolve) => setImmediate(resolve));
    value.checks = [{ tool: "promtool" }];
    fill();
    await writing;
    assert.equal(fs.readFileSync(file, "utf8"), JSON.stringify(value, null, 2) + "\n");
  });

  it("writes every object by default for a small stack, the summary or none when asked", async () => {
    const { plan } = await planOf("dev");
    const all = manifestsOf(plan!.resources).map((m) => m.file);
    const dir = (name: string) => path.join(tmp, name);
    const list = (name: string) => fs.readdirSync(path.join(dir(name), "manifests"));

    assert.equal(await writePlan(plan!, dir("default")), "all");
    assert.deepEqual(list("default"), [...all, ...DERIVED].sort());
    assert.equal(
      fs.readFileSync(path.join(dir("default"), "plan.json"), "utf8"),
      JSON.stringify(plan, null, 2) + "\n",
    );

    assert.equal(await writePlan(plan!, dir("summary"), [], { manifests: "summary" }), "summary");
    const values = all.filter((f) => f.endsWith(".values.yaml"));
    assert.deepEqual(list("summary"), [...values, ...DERIVED, OBJECTS_INDEX_FILE, RULES_DIR].sort());
    for (const f of values) {
      assert.equal(
        fs.readFileSync(path.join(dir("summary"), "manifests", f), "utf8"),
        fs.readFileSync(path.join(dir("default"), "manifests", f), "utf8"),
      );
    }
    const index = fs.readFileSync(path.join(dir("summary"), "manifests", OBJECTS_INDEX_FILE), "utf8");
    const rows = index.trimEnd().split("\n");
    assert.equal(rows[0], "kind\tnamespace\tname\tfile\turn");
    assert.deepEqual(
      rows.slice(1).map((r) => r.split("\t")[3]),
      all.filter((f) => !values.includes(f)),
    );
    const namespace = plan!.resources.find((r) => r.name === "kps-namespace")!.urn;
    assert.ok(rows.includes(`Namespace\t\tmonitoring\tnamespace-monitoring.yaml\t${namespace}`));
    // The rule files promtool reads: each PrometheusRule's groups, as plan.json holds them.
    const rules = ruleFiles(plan!.resources);
    const rulesDir = path.join(dir("summary"), "manifests", RULES_DIR);
    assert.deepEqual(fs.readdirSync(rulesDir), [
      "monitoring-kube-monitoring-platform.rules.yaml",
      "rust-app-rust-app.rules.yaml",
    ]);
    for (const f of rules)
      assert.deepEqual(parse(fs.readFileSync(path.join(rulesDir, f.name), "utf8")), { groups: f.groups });

    assert.equal(await writePlan(plan!, dir("none"), [], { manifests: "none" }), "none");
    assert.deepEqual(list("none"), DERIVED);
    for (const f of DERIVED) {
      assert.equal(
        fs.readFileSync(path.join(dir("none"), "manifests", f), "utf8"),
        fs.readFileSync(path.join(dir("default"), "manifests", f), "utf8"),
      );
    }
  });

  it("summarises by default above ALL_MANIFESTS_UP_TO objects; Helm values do not count", () => {
    const entries = (objects: number, values: number) =>
      [
        ...Array.from({ length: objects }, () => ({ values: false })),
        ...Array.from({ length: values }, () => ({ values: true })),
      ] as ManifestEntry[];
    assert.equal(defaultManifestMode(entries(ALL_MANIFESTS_UP_TO, 5)), "all");
    assert.equal(defaultManifestMode(entries(ALL_MANIFESTS_UP_TO + 1, 0)), "summary");
  });

  it("replaces an earlier plan whole, and leaves it as it was when writing fails", async () => {
    const { plan } = await planOf("dev");
    const dir = path.join(tmp, "dev");
    await writePlan(plan!, dir, [], { manifests: "none" });
    fs.writeFileSync(path.join(dir, "manifests", "stale.yaml"), "old: true\n");
    await writePlan(plan!, dir);
    assert.ok(!fs.existsSync(path.join(dir, "manifests", "stale.yaml")));
    assert.deepEqual(fs.readdirSync(tmp), ["dev"]);

    const broken = { ...plan!, outputs: { loop: 1n } } as unknown as Plan;
    await assert.rejects(writePlan(broken, dir), /BigInt/);
    assert.deepEqual(fs.readdirSync(tmp), ["dev"], "no staging directory left behind");
    assert.equal(fs.readFileSync(path.join(dir, "plan.json"), "utf8"), JSON.stringify(plan, null, 2) + "\n");
  });

  it("knows an earlier plan's plan.json by how the writer begins it, without reading it whole", async () => {
    const { plan } = await planOf("dev");
    await writePlan(plan!, path.join(tmp, "dev"), [], { manifests: "none" });
    const written = path.join(tmp, "dev", "plan.json");
    assert.equal(isPlanJson(written), true);
    // Project-less plans (written before plans recorded it) and special characters in the stack's name.
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(tmp, name), text);
      return path.join(tmp, name);
    };
    assert.equal(isPlanJson(file("old.json", '{\n  "stack": "a.b_c-1",\n  "resources": []\n}\n')), true);
    // Truncated after its head: still the plan's own file, which the next plan replaces.
    assert.equal(isPlanJson(file("cut.json", fs.readFileSync(written, "utf8").slice(0, 300))), true);
    for (const [name, text] of [
      ["compact.json", JSON.stringify(plan)],
      ["notes.json", '{\n  "title": "thesis",\n  "resources": []\n}\n'],
      ["nostack.json", '{\n  "stack": "",\n  "resources": []\n}\n'],
      ["empty.json", ""],
    ]) {
      assert.equal(isPlanJson(file(name, text)), false, name);
    }
    fs.mkdirSync(path.join(tmp, "dir.json"));
    assert.equal(isPlanJson(path.join(tmp, "dir.json")), false);
    assert.equal(isPlanJson(path.join(tmp, "absent.json")), false);
  });

  it("refuses a --manifests mode it does not know, before planning", async () => {
    const run = await planCli(["dev", "--manifests", "some", "--out", tmp]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^--manifests "some": expected one of none, summary, all\n/);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });
});
