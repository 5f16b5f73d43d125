import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { USAGE, check, formatFinding, main } from "../plan/check";
import { toolVersion } from "../plan/realTools";
import { requireTool } from "./helpers/tools";

const fixtures = path.join(__dirname, "fixtures", "check");
const at = (file: string) => path.join(fixtures, file);

/** `npm run check` in this process: its exit status and what it printed. */
async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  console.log = (t: string) => out.push(t);
  console.error = (t: string) => err.push(t);
  Object.assign(process.env, env);
  try {
    const status = await main(args);
    return { status, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A temporary directory with `files` written in it, removed after `use`. */
async function withFiles<T>(files: Record<string, string>, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-check-"));
  try {
    for (const [name, text] of Object.entries(files))
      fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });
    return await use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CLEAN = `groups:
  - name: clean
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
      - alert: HighErrorRate
        expr: sum by (job) (rate(http_errors_total[5m])) / job:http_requests:rate5m > 0.05
        for: 10m
        labels: { severity: warning }
        annotations: { summary: s, description: "{{ $labels.job }}", runbook_url: "https://runbooks.example.com/e" }
`;

describe("npm run check: linting existing rules and monitors without a stack", () => {
  let promtool = "";
  before(function () {
    requireTool(this, "promtool", "prometheus");
    promtool = toolVersion("promtool")!;
  });
  const oldPromtool = () => Number(promtool.split(".")[0]) < 3;

  it("blocks only the real bug in rules written the way a large public collection writes them", () => {
    const findings = check([at("collection.rules.yaml")]);
    // The summary and description read $labels.instance after avg() dropped it: mandatory.
    assert.deepEqual(
      findings.filter((f) => f.level === "mandatory").map((f) => `${f.line} ${f.policy}`),
      ["43 alert-rule-quality"],
    );
    // Counters without _total (ifHCInOctets) and `for: 0m` are advice: the text cannot prove them wrong.
    assert.deepEqual(
      findings.filter((f) => f.level === "advisory" && f.policy === "rule-conventions").map((f) => f.line),
      [21, 28, 35, 51],
    );
    assert.equal(findings.filter((f) => f.policy === "alert-runbook-url").length, 7);
  });

  it("finds no mandatory problem in rules written the way kube-prometheus writes them", () => {
    const findings = check([at("upstream.rules.yaml")]);
    assert.deepEqual(
      findings.filter((f) => f.level === "mandatory"),
      [],
    );
    // The alerts link no runbook; two recording names have one colon.
    assert.deepEqual(
      findings.map((f) => `${f.line} ${f.policy}`),
      [
        "6 alert-runbook-url",
        "11 alert-runbook-url",
        "16 alert-runbook-url",
        "21 alert-runbook-url",
        "26 alert-runbook-url",
        "31 alert-runbook-url",
        "39 rule-conventions",
        "41 rule-conventions",
      ],
    );
  });

  it("reports each mistake as file:line: level: policy: message, at the line of its rule", () => {
    assert.deepEqual(check([at("mistakes.rules.yaml")]).map(formatFinding), [
      `${at("mistakes.rules.yaml")}:4: advisory: rule-conventions: PrometheusRule mistakes.rules.yaml: group mistakes rule MemoryGrowing: rate() over process_resident_memory_bytes, whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata).`,
      `${at("mistakes.rules.yaml")}:9: mandatory: alert-rule-quality: PrometheusRule mistakes.rules.yaml: group mistakes rule NothingDown: absent(up{job="api"} == 0) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone.`,
      `${at("mistakes.rules.yaml")}:9: advisory: rule-conventions: PrometheusRule mistakes.rules.yaml: group mistakes rule NothingDown: for 30d is longer than 1d; the alert would page after the damage is done.`,
    ]);
  });

  it("checks monitors against the Services beside them, matchExpressions included, and only advises on the rest", () => {
    assert.deepEqual(check([at("external-app.yaml")]).map(formatFinding), [
      `${at("external-app.yaml")}:2: advisory: monitor-targets-verifiable: ServiceMonitor billing/billing: cannot verify its targets: this stack creates no Service in billing; check that something deployed elsewhere carries {"app":"billing"}.`,
      `${at("external-app.yaml")}:17: mandatory: monitor-targets-resolve: ServiceMonitor shop/shop: its selector {"matchExpressions":[{"key":"app","operator":"In","values":["shop-api"]}]} matches no Service this stack creates in shop; Prometheus would find no targets.`,
    ]);
  });

  it("advises on one record name four times over disjoint selectors, and exits 0", async () => {
    const findings = check([at("availability.rules.yaml")]);
    assert.deepEqual(
      findings.map((f) => `${f.line} ${f.level} ${f.policy} ${f.message.split(": ")[1]}`),
      [10, 12, 14].map(
        (line, i) =>
          `${line} advisory rule-conventions group apiserver-availability.rules rule code_verb:apiserver_request_total:increase1h (${i + 2} of 4)`,
      ),
    );
    assert.equal((await run([at("availability.rules.yaml")])).status, 0);
  });

  it("reads backtick, single-quoted and escaped strings and quoted UTF-8 names without a mandatory finding", () => {
    const findings = check([at("strings.rules.yaml")]).filter((f) => f.policy !== "alert-runbook-url");
    assert.deepEqual(
      findings.map(
        (f) => `${f.line} ${f.level} ${f.policy}: ${f.message.replace(/^PrometheusRule [^:]*: /, "")}`,
      ),
      [
        "10 advisory rule-conventions: group strings rule KubeletEvicting: rate() over kubelet_evictions, whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata).",
        ...(oldPromtool()
          ? [
              `15 advisory promtool: rule DottedMetricHigh: not checked by promtool ${promtool}: it uses quoted UTF-8 names (Prometheus 3); set PROMTOOL to a newer promtool to check it.`,
            ]
          : []),
      ],
    );
  });

  it("runs the promtool PROMTOOL names, at the line of the rule it refuses, in the file that holds it", async () => {
    // A wrapper that claims a newer version: the UTF-8 rule reaches the real (older) promtool, which refuses it.
    // One promtool run checks both files: the refusal belongs to the first, the clean second has none.
    const wrapper = `#!/bin/sh\nif [ "$1" = --version ]; then echo "promtool, version 9.9.9 (branch: test)"; exit 0; fi\nexec promtool "$@"\n`;
    await withFiles({ promtool: wrapper, "clean.rules.yaml": CLEAN }, async (dir) => {
      const result = await run(
        [at("strings.rules.yaml"), path.join(dir, "clean.rules.yaml"), "--format", "json"],
        { PROMTOOL: path.join(dir, "promtool") },
      );
      const promtoolFindings = JSON.parse(result.stdout).findings.filter(
        (f: { policy: string }) => f.policy === "promtool",
      );
      if (oldPromtool()) {
        assert.equal(result.status, 2);
        assert.equal(promtoolFindings.length, 1);
        assert.equal(path.basename(promtoolFindings[0].file), "strings.rules.yaml");
        assert.equal(promtoolFindings[0].line, 15);
        assert.equal(promtoolFindings[0].level, "mandatory");
        assert.match(promtoolFindings[0].message, /^rule DottedMetricHigh: could not parse expression: /);
      } else assert.deepEqual(promtoolFindings, []);
      assert.equal(JSON.parse(result.stdout).promtool, "9.9.9");
    });
    const broken = await run([at("strings.rules.yaml")], { PROMTOOL: "/nonexistent/promtool" });
    assert.equal(broken.status, 1);
    assert.equal(broken.stderr, "PROMTOOL=/nonexistent/promtool does not run (`--version` failed)");
  });

  it("prints the summary line when clean, and exits 0", async () => {
    await withFiles({ "clean.rules.yaml": CLEAN }, async (dir) => {
      const result = await run([dir]);
      assert.equal(result.status, 0, result.stdout);
      assert.equal(result.stdout, `checked 1 file, 2 rules: 0 mandatory, 0 advisory (promtool ${promtool})`);
    });
  });

  it("counts findings by level in the summary, and exits 2 on a mandatory one", async () => {
    const result = await run([fixtures]);
    assert.equal(result.status, 2);
    assert.equal(
      result.stdout.split("\n").at(-1),
      `checked 6 files, 27 rules: 3 mandatory, ${oldPromtool() ? 30 : 29} advisory (promtool ${promtool})`,
    );
  });

  it("gives --format json for CI annotations", async () => {
    const result = await run([at("mistakes.rules.yaml"), "--format", "json"]);
    assert.equal(result.status, 2);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(json), ["files", "rules", "promtool", "mandatory", "advisory", "findings"]);
    assert.deepEqual(
      [json.files, json.rules, json.promtool, json.mandatory, json.advisory],
      [1, 2, promtool, 1, 2],
    );
    assert.deepEqual(json.findings[1], {
      file: at("mistakes.rules.yaml"),
      line: 9,
      level: "mandatory",
      policy: "alert-rule-quality",
      message:
        'PrometheusRule mistakes.rules.yaml: group mistakes rule NothingDown: absent(up{job="api"} == 0) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone.',
    });
  });

  it("prints usage on --help (exit 0), and on an unknown option or no input (exit 1)", async () => {
    const help = await run(["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: npm run check -- <files or dirs>\.\.\./);
    for (const section of ["options:", "exit status:", "  2  a mandatory finding", "example:", "PROMTOOL"]) {
      assert.ok(help.stdout.includes(section), section);
    }
    const unknown = await run(["--bogus", fixtures]);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, `--bogus: unknown option\n\n${USAGE}`);
    assert.equal((await run([])).status, 1);
    const format = await run([fixtures, "--format", "xml"]);
    assert.equal(format.status, 1);
    assert.match(format.stderr, /^--format xml: expected text or json\n\nusage:/);
  });

  it("refuses unreadable input with the file, line and what was expected, never a stack trace", async () => {
    const files = {
      "notyaml.yaml": "groups:\n  - name: a\n    rules: [\n",
      "shape.yaml": "groups:\n  - name: a\n    rules:\n      - expr: up == 0\n        labels: {}\n",
      "nogroupname.yaml": "groups:\n  - rules: []\n",
    };
    await withFiles(files, async (dir) => {
      const expected = {
        "notyaml.yaml": /^.*notyaml\.yaml:4: not YAML: /,
        "shape.yaml": /^.*shape\.yaml:4: groups\[0\]\.rules\[0\]: expected exactly one of alert or record$/,
        "nogroupname.yaml": /^.*nogroupname\.yaml:2: groups\[0\]: expected a group name \(name: …\)$/,
      };
      for (const [file, message] of Object.entries(expected)) {
        const result = await run([path.join(dir, file)]);
        assert.equal(result.status, 1, file);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
      }
    });
    const missing = await run([at("nope.yaml")]);
    assert.deepEqual([missing.status, missing.stderr], [1, `${at("nope.yaml")}: no such file or directory`]);
  });
});
