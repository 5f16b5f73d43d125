/**
 * Config errors that fix themselves: the stack file and line, the app or receiver by name, "did you
 * mean" for a near-miss key, the valid choices for a reference, a YAML syntax error's position, and a
 * config directory without Pulumi.yaml said plainly.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closest, displayPath, editDistance, stackFileLocator } from "../components/configLocation";
import { planCli } from "./helpers/cli";

const fixtures = path.join(__dirname, "fixtures", "stacks");

/** A copy of the dev fixture with `edit` applied to its stack file's lines. */
function devCopy(stack: string, edit: (lines: string[]) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-errors-"));
  fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(fixtures, "config.dev.json"), path.join(dir, `config.${stack}.json`));
  const lines = fs.readFileSync(path.join(fixtures, "Pulumi.dev.yaml"), "utf8").split("\n");
  edit(lines);
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), lines.join("\n"));
  return dir;
}

const lineOf = (lines: string[], text: string) => {
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, text);
  return i;
};

describe("config errors", () => {
  it("names the file and line, the app and receiver by name, a near-miss key and the valid choices", async () => {
    const at: Record<string, number> = {};
    const dir = devCopy("typos", (lines) => {
      const threshold = lineOf(lines, "errorRate: { threshold:");
      lines[threshold] = lines[threshold].replace("threshold:", "treshold:");
      const route = lineOf(lines, "- { receiver: backend-slack, severity: warning }");
      lines[route] = lines[route].replace("backend-slack", "backend-slak");
      at.threshold = threshold + 1;
      at.route = route + 1;
    });
    try {
      const run = await planCli(["typos", "--config-dir", dir, "--out", path.join(dir, "out")]);
      assert.equal(run.status, 1);
      assert.deepEqual(run.stderr.trim().split("\n"), [
        `Pulumi.typos.yaml:${at.threshold}: apps[rust-app].alerts.errorRate.treshold: unknown key; did you mean threshold? ` +
          "Expected one of: threshold, window, for, severity",
        `Pulumi.typos.yaml:${at.route}: apps[rust-app].routing.routes[1].receiver: "backend-slak" is not a receiver here; ` +
          "expected one of: pagerduty-critical, backend-slack, oncall-email, audit-webhook",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the file, line and column of a YAML syntax error, never 'the program failed'", async () => {
    let line = 0;
    const dir = devCopy("indent", (lines) => {
      line = lineOf(lines, "latency: { quantile:");
      lines[line] = lines[line].replace(/^ {8}/, "      ");
    });
    try {
      const run = await planCli(["indent", "--config-dir", dir]);
      assert.equal(run.status, 1);
      assert.match(
        run.stderr.trim(),
        new RegExp(`Pulumi\\.indent\\.yaml: is not YAML \\(line ${line + 2}: [a-z ]+\\)$`),
      );
      assert.doesNotMatch(run.stderr, /program failed|\n\s+at /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says a --config-dir without Pulumi.yaml lacks it, with no raw ENOENT", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-errors-"));
    fs.copyFileSync(path.join(fixtures, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
    try {
      const run = await planCli(["dev", "--config-dir", dir]);
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr.trim(),
        `dev: no Pulumi.yaml in ${dir}; the config directory needs the project file beside Pulumi.dev.yaml ` +
          "(copy or link the project's Pulumi.yaml there)",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says a --config-dir that does not exist does not exist", async () => {
    const dir = path.join(os.tmpdir(), "kube-monitoring-errors-none", "nested");
    const run = await planCli(["dev", "--config-dir", dir]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), `dev: the config directory ${dir} does not exist`);
  });

  it("locates keys in the stack file, names list elements, and suggests the closest key", () => {
    const locate = stackFileLocator(fixtures, "dev")!;
    const lines = fs.readFileSync(path.join(fixtures, "Pulumi.dev.yaml"), "utf8").split("\n");
    assert.equal(locate(["apps", 0, "name"]), `Pulumi.dev.yaml:${lineOf(lines, "- name: rust-app") + 1}`);
    // A key that is not there: the deepest one that is.
    assert.equal(locate(["apps", 0, "nope", "deeper"]), locate(["apps", 0]));
    assert.equal(stackFileLocator(fixtures, "absent"), undefined);
    const raw = {
      apps: [{ name: "a" }, { name: "checkout" }, { name: "checkout" }],
      alerting: { receivers: [{ name: "pd" }] },
    };
    assert.equal(displayPath(["apps", 1, "slo"], raw), "apps[1].slo", "a duplicate name keeps its index");
    assert.equal(displayPath(["apps", 0, "slo"], raw), "apps[a].slo");
    assert.equal(displayPath(["alerting", "receivers", 0, "slack"], raw), "alerting.receivers[pd].slack");
    assert.equal(displayPath(["remoteWrite", 0], { remoteWrite: [{ name: "x" }] }), "remoteWrite[0]");
    assert.equal(editDistance("treshold", "threshold"), 1);
    assert.equal(closest("treshold", ["window", "threshold", "for"]), "threshold");
    assert.equal(closest("zzzz", ["window", "threshold"]), undefined);
  });
});
