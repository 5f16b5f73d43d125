/** The backtest's reading of plan files (hostile input) and its expansion of recording rules. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExpandError, expandRecordings, unquote } from "../plan/backtest/expand";
import { InputError, planFromJson, readPlanFile } from "../plan/backtest/input";
import type { RecordingRule } from "../plan/backtest/input";
import { clean, md, renderMarkdown } from "../plan/backtest/render";
import type { BacktestResult } from "../plan/backtest/run";
import { fixturePlan } from "./helpers/backtestPlans";

const rule = (record: string, expr: string, labels: Record<string, string> = {}, intervalSeconds = 60) =>
  ({ record, expr, labels, intervalSeconds }) satisfies RecordingRule;

describe("backtest: plan files", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bt-input-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };

  it("reads alerts with their group's interval, app, namespace and a key that tells repeats apart", () => {
    const plan = planFromJson(
      fixturePlan("dev", [
        {
          name: "g",
          interval: "30s",
          rules: [
            { alert: "A", expr: "x > 1", for: "5m", labels: { severity: "warning" } },
            { alert: "A", expr: "x > 2", keep_firing_for: "10m", labels: { app: "cart" } },
            { record: "r", expr: "sum(x)" },
          ],
        },
      ]),
      "p.json",
      "dev",
    );
    assert.deepEqual(
      plan.alerts.map((a) => [a.key, a.app, a.intervalSeconds, a.forSeconds, a.keepFiringForSeconds]),
      [
        ["shop/shop/g/A", "shop", 30, 300, 0],
        ["shop/shop/g/A#2", "cart", 30, 0, 600],
      ],
    );
    assert.deepEqual(plan.recordings, [rule("r", "sum(x)", {}, 30)]);
    assert.deepEqual(plan.externalLabels, { cluster: "backtest" });
  });

  it("refuses what is not a plan of the stack named, naming the file and the key", () => {
    const bad = (json: unknown, message: string) =>
      assert.throws(() => planFromJson(json, "p.json", "dev"), { name: "InputError", message });
    bad([], "p.json: (top level): Invalid input: expected object, received array");
    bad({ ...fixturePlan("prod", []) }, 'p.json: .stack: a plan of stack "prod", expected "dev"');
    const plan = fixturePlan("dev", [{ name: "g", rules: [{ alert: "A", expr: "x", for: "soon" }] }]);
    bad(plan, "p.json: .resources[3].inputs.spec.groups[0].rules[0].for: expected a Prometheus duration");
    const ext = fixturePlan("dev", []) as { resources: { inputs: { values?: { prometheus?: unknown } } }[] };
    ext.resources[0].inputs.values!.prometheus = { prometheusSpec: { externalLabels: { cluster: 1 } } };
    bad(
      ext,
      "p.json: the kube-prometheus-stack release's .values.prometheus.prometheusSpec.externalLabels.cluster: " +
        "Invalid input: expected string, received number",
    );
    const both = fixturePlan("dev", [{ name: "g", rules: [{ alert: "A", record: "r", expr: "x" }] }]);
    bad(
      both,
      "p.json: .resources[3].inputs.spec.groups[0].rules[0]: expected exactly one of alert and record",
    );
  });

  it("refuses files too large, not JSON, or missing, without quoting their content", () => {
    const big = write("big.json", JSON.stringify(fixturePlan("dev", [])));
    assert.throws(() => readPlanFile(big, "dev", 100), {
      message: new RegExp(`^${big}: is [\\d.]+ KiB; at most 0\\.1 KiB \\(100 bytes\\)$`),
    });
    const secret = write("secret.json", "password=hunter2\n");
    assert.throws(
      () => readPlanFile(secret, "dev"),
      (err: Error) => {
        assert.ok(err instanceof InputError);
        assert.equal(err.message, `${secret}: not valid JSON`);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
    assert.throws(() => readPlanFile(path.join(dir, "none.json"), "dev"), {
      message: `${path.join(dir, "none.json")}: no such file`,
    });
  });
});

describe("backtest: recording rules expanded", () => {
  it("reads PromQL strings as Prometheus does: escapes, single quotes and raw backticks", () => {
    assert.equal(unquote('"a\\"b\\n\\u00e9\\x41"'), 'a"b\né\x41');
    assert.equal(unquote("'it\\'s'"), "it's");
    assert.equal(unquote("`a\\d+`"), "a\\d+");
  });

  it("substitutes the recorded expression with its static labels", () => {
    assert.equal(
      expandRecordings("r > 1", [rule("r", "sum by (ns) (x)", { slo: "a" })]),
      'label_replace((sum by (ns) (x)), "slo", "a", "", "") > 1',
    );
    assert.equal(expandRecordings("other > 1", [rule("r", "x")]), "other > 1");
  });

  it("leaves out rules whose static labels the selector contradicts, joins the rest with or", () => {
    const rules = [rule("r", "x", { slo: "a" }), rule("r", "y", { slo: "b" }), rule("r", "z", { slo: "c" })];
    assert.equal(expandRecordings('r{slo="b"}', rules), 'label_replace((y), "slo", "b", "", "")');
    assert.equal(
      expandRecordings('r{slo=~"a|c"}', rules),
      '(label_replace((x), "slo", "a", "", "") or label_replace((z), "slo", "c", "", ""))',
    );
    // No rule of the plan records it: the server's own series are read.
    assert.equal(expandRecordings('r{slo="d"}', rules), 'r{slo="d"}');
  });

  it("filters by matchers on labels the rule does not set, keeping regex and negative meaning", () => {
    assert.equal(
      expandRecordings('r{ns!~"a.*"}', [rule("r", "x")]),
      'label_replace(label_replace((x), "__backtest_keep__", "1", "ns", "a.*") unless on(__backtest_keep__) ' +
        'label_replace(vector(1), "__backtest_keep__", "1", "", ""), "__backtest_keep__", "", "", "")',
    );
    assert.match(expandRecordings('r{ns="a.b"}', [rule("r", "x")]), /"ns", "a\\\\.b"\) and on/);
  });

  it("turns ranges into subqueries at the recording group's interval, offsets into last_over_time", () => {
    assert.equal(
      expandRecordings("avg_over_time(r[1h])", [rule("r", "x", {}, 30)]),
      "avg_over_time(((x))[1h:30s])",
    );
    assert.equal(
      expandRecordings("rate(r[5m] offset 1h)", [rule("r", "x")]),
      "rate(((x))[5m:60s] offset 1h)",
    );
    assert.equal(
      expandRecordings("r offset 1h > 0", [rule("r", "x")]),
      "last_over_time(((x))[5m:60s] offset 1h) > 0",
    );
  });

  it("expands recording rules that read recording rules, and refuses cycles and @", () => {
    assert.equal(expandRecordings("b", [rule("a", "x"), rule("b", "a * 2")]), "((x) * 2)");
    assert.throws(() => expandRecordings("a", [rule("a", "b"), rule("b", "a")]), {
      name: "ExpandError",
      message: "recording rules read each other in a cycle or too deep: a → b → a",
    });
    assert.throws(() => expandRecordings("r @ 100", [rule("r", "x")]), ExpandError);
  });
});

describe("backtest: output safety", () => {
  it("strips control characters and escapes markdown and HTML from input", () => {
    assert.equal(clean("a\u0007b\u202ec\nd"), "a b c d");
    assert.equal(md("<img src=x>|*a*`"), "&lt;img src=x&gt;\\|\\*a\\*\\`");
    const result: BacktestResult = {
      stack: "dev",
      range: {
        from: "2025-01-01T00:00:00.000Z",
        to: "2025-01-02T00:00:00.000Z",
        seconds: 86400,
        stepSeconds: 60,
      },
      alerts: [
        {
          key: "k",
          alert: "Evil|<b>x</b>\u001b[31m",
          app: "[link](http://x)",
          namespace: "n",
          group: "g",
          change: "added",
          old: null,
          new: { episodes: 2, firingSeconds: 90 },
        },
      ],
      receivers: [{ receiver: "r|<i>", old: null, new: 3 }],
      queries: 1,
      complete: true,
    };
    const out = renderMarkdown(result);
    assert.ok(
      out.includes(
        "| added | Evil\\|&lt;b&gt;x&lt;/b&gt; \\[31m | \\[link\\]\\(http:&#47;&#47;x\\) | n | — | 2 episodes, 1m30s firing |",
      ),
      out,
    );
    assert.ok(out.includes("| r\\|&lt;i&gt; | — | 3 |"), out);
    assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f]/);
  });
});
