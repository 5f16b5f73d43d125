/**
 * Clear refusals for malformed inputs (class 8 of issue 23): YAML alias bombs, deep nesting and values of
 * the wrong type in stack files; truncated plan files handed to `--compare`, `--platform-plan`,
 * `plan:comment` and `verify --plan`. Exit 1 naming the file and the key, never a stack trace, never
 * the file's content.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanFileError, prComment } from "../../plan/comment";
import { planStack } from "../../plan/plan";
import { main as verifyMain } from "../../plan/verify";
import { planCli } from "../helpers/cli";
import { fixturesDir, projectDir, teamFixturesDir } from "../helpers/plan";
import { captureConsole } from "./capture";

const SENTINEL = "S3NT1NEL-malformed";
const STACK_TRACE = /\n\s+at /;

describe("security: malformed stack files and plan files", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-malformed-"));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "config.bad.json"), '{"profile":"dev"}');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Plans stack `bad` whose Pulumi.bad.yaml is `text`; its report. */
  async function planText(text: string) {
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), text);
    const result = await planStack({ projectDir, configDir: dir, policyConfigDir: dir, stack: "bad" });
    assert.equal(result.exitCode, 1, result.report);
    assert.doesNotMatch(result.report, STACK_TRACE);
    assert.ok(!result.report.includes(SENTINEL), result.report);
    return result.report;
  }
  const file = () => path.join(dir, "Pulumi.bad.yaml");

  it("refuses alias bombs, deep nesting and oversized stack files, naming the file", async () => {
    const lines = [
      `config:`,
      `  kube-monitoring:clusterName: a`,
      `  x0: &x0 ["${SENTINEL}", a, a, a, a, a, a, a, a, a]`,
    ];
    for (let i = 1; i < 8; i++)
      lines.push(
        `  x${i}: &x${i} [${Array(10)
          .fill(`*x${i - 1}`)
          .join(", ")}]`,
      );
    assert.equal(
      await planText(lines.join("\n")),
      `${file()}: expands aliases past 100 (an alias bomb?); write the values out`,
    );
    assert.equal(
      await planText(`config:\n  kube-monitoring:apps: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`),
      `${file()}: nests deeper than 64 levels`,
    );
    let deep = "config:\n";
    for (let i = 1; i < 70; i++) deep += `${"  ".repeat(i)}k:\n`;
    assert.equal(
      await planText(`${deep}${"  ".repeat(70)}${SENTINEL}\n`),
      `${file()}: nests deeper than 64 levels`,
    );
    assert.equal(
      await planText(`config:\n  kube-monitoring:clusterName: "${SENTINEL}${"x".repeat(1024 * 1024)}"\n`),
      `${file()}: is 1 MiB; at most 1 MiB (1048576 bytes)`,
    );
    assert.equal(
      await planText(`config:\n  kube-monitoring:clusterName: a\n  b: [${SENTINEL}\n`),
      `${file()}: is not YAML (line 4: bad indent)`,
    );
  });

  it("refuses values of the wrong YAML type at the top level, naming the key", async () => {
    assert.equal(await planText(`- ${SENTINEL}\n`), `${file()}: expected a mapping (config: …)`);
    assert.equal(
      await planText(`config: ${SENTINEL}\n`),
      `${file()}: config: expected a mapping of keys to values`,
    );
    assert.equal(
      await planText(
        "config:\n  kube-monitoring:environment: dev\n  kube-monitoring:clusterName: a\n  kube-monitoring:prometheus:\n",
      ),
      `${file()}: config.kube-monitoring:prometheus: has no value; set one or remove the key`,
    );
    assert.equal(
      await planText(
        "config:\n  kube-monitoring:environment: dev\n  kube-monitoring:clusterName: a\n  kube-monitoring:prometheus: 5\n",
      ),
      'Pulumi.bad.yaml:4: prometheus: "5" is not an object',
    );
    // Text that only looks like JSON is judged as text, for the key it sits in.
    assert.equal(
      await planText(
        `config:\n  kube-monitoring:environment: dev\n  kube-monitoring:clusterName: a\n  kube-monitoring:grafana: "{not json"\n`,
      ),
      'Pulumi.bad.yaml:4: grafana: "{not json" is not an object',
    );
  });

  /** Writes a plan.json that stops in the middle of resources[1].inputs. */
  const truncated = (name: string, stack: string, project = "kube-monitoring") => {
    const text = JSON.stringify({
      stack,
      project,
      resources: [
        { urn: "a", type: "t", name: "a", inputs: {} },
        { urn: "b", type: "t", name: "b", inputs: { password: SENTINEL } },
      ],
    });
    const at = path.join(dir, name);
    fs.writeFileSync(at, text.slice(0, text.indexOf(SENTINEL) + 4));
    return at;
  };

  it("refuses a truncated --compare or --platform-plan, naming the file and the key", async () => {
    const old = truncated("old.json", "minimal");
    const compare = await planCli(["minimal", "--config-dir", fixturesDir, "--compare", old]);
    assert.equal(compare.status, 1);
    assert.equal(
      compare.stderr,
      `--compare ${old}: resources[1].inputs.password: not valid JSON (it ends early: truncated?)\n`,
    );
    const platform = truncated("platform.json", "everything");
    const team = await planCli(["teams/squad", "--config-dir", teamFixturesDir, "--platform-plan", platform]);
    assert.equal(team.status, 1);
    assert.equal(
      team.stderr,
      `--platform-plan ${platform}: resources[1].inputs.password: not valid JSON (it ends early: truncated?)\n`,
    );
    // Whole but wrong: the key and what was expected.
    fs.writeFileSync(
      old,
      JSON.stringify({ stack: "minimal", project: "kube-monitoring", resources: [{ urn: 1 }] }),
    );
    const wrong = await planCli(["minimal", "--config-dir", fixturesDir, "--compare", old]);
    assert.equal(wrong.status, 1);
    assert.equal(
      wrong.stderr,
      `--compare ${old}: resources[0].urn: expected string; not a plan.json written by npm run plan\n`,
    );
    for (const out of [compare, team, wrong]) {
      assert.doesNotMatch(out.stderr + out.stdout, STACK_TRACE);
      assert.ok(!(out.stderr + out.stdout).includes(SENTINEL));
    }
  });

  it("refuses a truncated head plan in plan:comment and verify --plan, naming the file and the key", async () => {
    fs.mkdirSync(path.join(dir, "dev"));
    fs.renameSync(truncated("head.json", "dev"), path.join(dir, "dev", "plan.json"));
    const head = path.join(dir, "dev", "plan.json");
    assert.throws(
      () => prComment(dir, dir, ["dev"]),
      (err: Error) =>
        err instanceof PlanFileError &&
        err.message === `${head}: resources[1].inputs.password: not valid JSON (it ends early: truncated?)`,
    );
    const { result, stdout, stderr } = await captureConsole(() =>
      verifyMain([
        "dev",
        "--plan",
        head,
        "--prometheus-url",
        "http://127.0.0.1:1",
        "--alertmanager-url",
        "http://127.0.0.1:1",
      ]),
    );
    assert.equal(result, 1);
    assert.equal(
      stderr,
      `${head}: resources[1].inputs.password: not valid JSON (it ends early: truncated?)\n`,
    );
    assert.ok(!(stdout + stderr).includes(SENTINEL));
  });
});
