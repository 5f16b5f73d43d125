/**
 * Every file the program reads (class 3 and 4 of issue 23): symlinks followed must stay in the project,
 * special files are refused before they are opened, each kind of file has a size cap, and no message
 * quotes a file. `--out` never deletes what the plan did not write.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseStackConfig } from "../../components/config";
import {
  MAX_CONFIGMAP_BYTES,
  dashboardUid,
  loadDashboards,
  provisionedDatasources,
  readDashboardFiles,
} from "../../components/dashboards";
import { SIZE_CAPS } from "../../components/inputFile";
import { projectFileReader } from "../../components/ruleFiles";
import { PolicyConfigError, loadPolicyConfig } from "../../policies/harness";
import { writePlan } from "../../plan/plan";
import { planCli } from "../helpers/cli";
import { fixturesDir, planOf } from "../helpers/plan";

const SENTINEL = "S3NT1NEL-file-content";

describe("security: files read as hostile input", function () {
  this.timeout(120_000);
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-files-"));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-outside-"));
    fs.writeFileSync(path.join(outside, "secret.yaml"), `groups: [{ name: ${SENTINEL}, rules: [] }]\n`);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  /** The problems parseStackConfig reports for `ruleFiles: [file]`, read from the test's project root. */
  const ruleFileProblems = (file: string): string[] => {
    try {
      parseStackConfig(
        "files",
        { environment: "dev", clusterName: "files", ruleFiles: [file] },
        { readFile: projectFileReader(root) },
      );
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems;
    }
  };
  const mkfifo = (p: string) => execFileSync("mkfifo", [p]);

  it("refuses rule files that lead outside the project or are not regular files, naming each", () => {
    fs.symlinkSync(path.join(outside, "secret.yaml"), path.join(root, "escape.yaml"));
    fs.symlinkSync(outside, path.join(root, "linked"));
    fs.symlinkSync("/proc/self/environ", path.join(root, "environ.yaml"));
    fs.symlinkSync("/dev/zero", path.join(root, "zero.yaml"));
    fs.mkdirSync(path.join(root, "dir.yaml"));
    mkfifo(path.join(root, "fifo.yaml"));
    fs.symlinkSync("loop-b.yaml", path.join(root, "loop-a.yaml"));
    fs.symlinkSync("loop-a.yaml", path.join(root, "loop-b.yaml"));
    const cases: [string, string][] = [
      ["escape.yaml", "leads outside the project (symlinks followed); keep it inside"],
      ["linked/secret.yaml", "leads outside the project (symlinks followed); keep it inside"],
      ["environ.yaml", "leads outside the project (symlinks followed); keep it inside"],
      ["zero.yaml", "leads outside the project (symlinks followed); keep it inside"],
      ["dir.yaml", "is a directory; expected a regular file"],
      ["fifo.yaml", "is a FIFO (named pipe); expected a regular file"],
      ["loop-a.yaml", "a loop of symlinks"],
    ];
    for (const [file, why] of cases) {
      const found = ruleFileProblems(file);
      assert.deepEqual(found, [`files: ruleFiles[0]: ${JSON.stringify(file)} ${why}`], file);
      assert.ok(!found.join().includes(SENTINEL));
    }
  });

  it("refuses /proc, /sys and /dev inside a project that is itself there", () => {
    // A root under /proc: the file is inside it, and still not read.
    const problems = parseStackConfig.bind(undefined, "files", {
      environment: "dev",
      clusterName: "files",
      ruleFiles: ["environ"],
    });
    assert.throws(
      () => problems({ readFile: projectFileReader("/proc/self") }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.problems[0] === 'files: ruleFiles[0]: "environ" is under /proc, not a regular file',
    );
  });

  it("caps a rule file's size before reading it (a sparse 5 MiB file is never read)", () => {
    const big = path.join(root, "big.yaml");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, SIZE_CAPS.ruleFile + 1);
    assert.deepEqual(ruleFileProblems("big.yaml"), [
      `files: ruleFiles[0]: "big.yaml" is 4 MiB; at most 4 MiB (${SIZE_CAPS.ruleFile} bytes)`,
    ]);
  });

  it("refuses YAML alias bombs and deep nesting in rule files, without quoting them", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(", ")}]`,
      );
    }
    fs.writeFileSync(path.join(root, "bomb.yaml"), `${bomb.join("\n")}\ngroups: []\n`);
    fs.writeFileSync(path.join(root, "deep.yaml"), `groups: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
    fs.writeFileSync(path.join(root, "seq.yaml"), `groups:\n${"- ".repeat(200)}${SENTINEL}\n`);
    fs.writeFileSync(path.join(root, "broken.yaml"), `groups:\n  - name: a\n   ${SENTINEL}: [\n`);
    assert.deepEqual(ruleFileProblems("bomb.yaml"), [
      'files: ruleFiles[0]: "bomb.yaml" expands aliases past 100 (an alias bomb?); write the values out',
    ]);
    assert.deepEqual(ruleFileProblems("deep.yaml"), [
      'files: ruleFiles[0]: "deep.yaml" nests deeper than 64 levels',
    ]);
    assert.deepEqual(ruleFileProblems("seq.yaml"), [
      'files: ruleFiles[0]: "seq.yaml" nests deeper than 64 levels',
    ]);
    const broken = ruleFileProblems("broken.yaml");
    assert.match(broken[0], /^files: ruleFiles\[0\]: "broken\.yaml" is not YAML \(line \d: [a-z ]+\)$/);
    assert.ok(!broken[0].includes(SENTINEL));
  });

  it("refuses dashboards that escape, are special or too large, and ConfigMaps over 1 MiB, naming the file", () => {
    const dir = path.join(root, "dashboards", "Team");
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(outside, "secret.yaml"), path.join(dir, "escape.json"));
    mkfifo(path.join(dir, "fifo.json"));
    fs.writeFileSync(path.join(dir, "huge.json"), "");
    fs.truncateSync(path.join(dir, "huge.json"), SIZE_CAPS.dashboard + 1);
    // Under the file cap, but pretty-printed into its ConfigMap it outgrows Kubernetes' 1 MiB.
    const panels = Array.from({ length: 120_000 }, (_, i) => i);
    fs.writeFileSync(path.join(dir, "wide.json"), JSON.stringify({ uid: "wide", title: "Wide", panels }));
    fs.writeFileSync(path.join(dir, "ok.json"), JSON.stringify({ uid: "ok", title: "OK" }));
    const files = readDashboardFiles(path.join(root, "dashboards"), root);
    const { dashboards, problems } = loadDashboards(files, provisionedDatasources(false));
    assert.deepEqual(
      dashboards.map((d) => d.uid),
      ["ok"],
    );
    assert.deepEqual(problems, [
      "dashboards/Team/escape.json: leads outside the project (symlinks followed); keep it inside",
      "dashboards/Team/fifo.json: is a FIFO (named pipe); expected a regular file",
      `dashboards/Team/huge.json: is 1 MiB; at most 1 MiB (${SIZE_CAPS.dashboard} bytes)`,
      `dashboards/Team/wide.json: its ConfigMap would hold ${Buffer.byteLength("wide.json") + Buffer.byteLength(JSON.stringify({ uid: "wide", title: "Wide", panels }, null, 2))} bytes; Kubernetes allows ${MAX_CONFIGMAP_BYTES} (1 MiB): split the dashboard`,
    ]);
    assert.ok(!problems.join().includes(SENTINEL));
  });

  it("keeps dashboard uids unique after Grafana's 40 characters, and ConfigMap names apart", () => {
    const a = dashboardUid(`kube-monitoring-payments-${"x".repeat(30)}-a`);
    const b = dashboardUid(`kube-monitoring-payments-${"x".repeat(30)}-b`);
    assert.equal(a.length, 40);
    assert.equal(b.length, 40);
    assert.notEqual(a, b);
    assert.equal(a.slice(0, 31), b.slice(0, 31));
    assert.equal(dashboardUid("short-uid"), "short-uid");
    // Two apps whose names share 40 characters: distinct dashboards, no problem reported.
    const base = { environment: "dev", clusterName: "uids" };
    const app = (name: string) => ({
      name,
      namespace: "shop",
      target: { labels: { app: name }, ports: ["metrics"] },
      serviceMonitor: { endpoints: [{ port: "metrics" }] },
    });
    const cfg = parseStackConfig("uids", {
      ...base,
      apps: [app(`${"a".repeat(30)}-one`), app(`${"a".repeat(30)}-two`)],
    });
    const uids = cfg.dashboards.map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    // A file's uid that differs from another only in case would share its ConfigMap: refused.
    const { problems } = loadDashboards(
      [
        { path: "dashboards/A/one.json", text: JSON.stringify({ uid: "Api_Latency", title: "1" }) },
        { path: "dashboards/A/two.json", text: JSON.stringify({ uid: "api-latency", title: "2" }) },
      ],
      provisionedDatasources(false),
    );
    assert.deepEqual(problems, [
      'dashboards/A/two.json: uid "api-latency" differs from the uid of dashboards/A/one.json only in case or - and _, and would share its ConfigMap',
    ]);
  });

  it("refuses policy configs that are FIFOs, symlinks out of the project, or too large", () => {
    const project = path.join(root, "policies");
    fs.mkdirSync(project);
    mkfifo(path.join(project, "config.fifo.json"));
    fs.writeFileSync(path.join(outside, "config.json"), `{"profile": "${SENTINEL}"}`);
    fs.symlinkSync(path.join(outside, "config.json"), path.join(project, "config.escape.json"));
    fs.writeFileSync(path.join(project, "config.big.json"), "");
    fs.truncateSync(path.join(project, "config.big.json"), SIZE_CAPS.policyConfig + 1);
    fs.writeFileSync(
      path.join(project, "config.cut.json"),
      `{"profile": "dev", "rules-valid": {"enforcementLevel": "${SENTINEL}`,
    );
    const refusal = (stack: string) => {
      try {
        loadPolicyConfig(stack, project, [], undefined, root);
        return "";
      } catch (err) {
        assert.ok(err instanceof PolicyConfigError, String(err));
        return err.problems.join("\n");
      }
    };
    const shown = (stack: string) => path.join(project, `config.${stack}.json`);
    assert.equal(refusal("fifo"), `${shown("fifo")}: is a FIFO (named pipe); expected a regular file`);
    assert.equal(
      refusal("escape"),
      `${shown("escape")}: leads outside the project (symlinks followed); keep it inside`,
    );
    assert.equal(
      refusal("big"),
      `${shown("big")}: is 256 KiB; at most 256 KiB (${SIZE_CAPS.policyConfig} bytes)`,
    );
    assert.equal(
      refusal("cut"),
      `${shown("cut")}: rules-valid.enforcementLevel: not valid JSON (it ends early: truncated?)`,
    );
    for (const stack of ["fifo", "escape", "big", "cut"]) assert.ok(!refusal(stack).includes(SENTINEL));
  });

  it("--out never deletes what the plan did not write; it replaces an earlier plan's directory whole", async () => {
    const { plan } = await planOf("minimal");
    const out = path.join(root, "out");
    fs.mkdirSync(path.join(out, "minimal"), { recursive: true });
    fs.writeFileSync(path.join(out, "minimal", "thesis.tex"), SENTINEL);
    await assert.rejects(writePlan(plan!, path.join(out, "minimal")), {
      message: `${path.join(out, "minimal")}: exists and holds no plan.json written by npm run plan; not replaced. Choose another --out, or remove it yourself`,
    });
    assert.equal(fs.readFileSync(path.join(out, "minimal", "thesis.tex"), "utf8"), SENTINEL);
    fs.symlinkSync(outside, path.join(out, "linked"));
    await assert.rejects(
      writePlan({ ...plan!, stack: "linked" }, path.join(out, "linked")),
      /: is a symlink; not replaced/,
    );
    assert.ok(fs.existsSync(path.join(outside, "secret.yaml")));
    // An earlier plan's directory is replaced, leftovers and all, and nothing is left beside it.
    fs.rmSync(path.join(out, "minimal"), { recursive: true });
    await writePlan(plan!, path.join(out, "minimal"));
    fs.writeFileSync(path.join(out, "minimal", "manifests", "stale.yaml"), "x");
    await writePlan(plan!, path.join(out, "minimal"));
    assert.ok(!fs.existsSync(path.join(out, "minimal", "manifests", "stale.yaml")));
    assert.deepEqual(fs.readdirSync(out).sort(), ["linked", "minimal"]);
    // The CLI reports it as exit 1 naming the directory, never a stack trace.
    fs.mkdirSync(path.join(out, "dev"));
    fs.writeFileSync(path.join(out, "dev", "notes.txt"), SENTINEL);
    const cli = await planCli(["dev", "--config-dir", fixturesDir, "--out", out]);
    assert.equal(cli.status, 1);
    assert.match(
      cli.stderr,
      new RegExp(`^--out: ${path.join(out, "dev")}: exists and holds no plan\\.json`, "m"),
    );
    assert.doesNotMatch(cli.stderr, /\n\s+at /);
    assert.equal(fs.readFileSync(path.join(out, "dev", "notes.txt"), "utf8"), SENTINEL);
  });
});
