/**
 * `npm run backtest`'s command line against a scripted HTTP server: usage and exit codes, credentials
 * from the environment and never printed, and a server that answers garbage (exit 3 naming the URL).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { USAGE, main } from "../plan/backtestCli";
import { fixturePlan } from "./helpers/backtestPlans";

type Handler = (url: URL, req: http.IncomingMessage) => { status?: number; body: string };

const T = 1_735_689_600;

describe("npm run backtest: command line", () => {
  let dir: string;
  let server: http.Server;
  let url: string;
  let handler: Handler;
  const seen: { auth?: string; params: URLSearchParams }[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bt-cli-"));
    const plan = fixturePlan("dev", [
      { name: "g", interval: "1m", rules: [{ alert: "Up", expr: "up == 0" }] },
    ]);
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(plan));
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify({ ...plan, stack: "prod" }));
    server = http.createServer((req, res) => {
      const u = new URL(req.url!, "http://x");
      seen.push({ auth: req.headers.authorization, params: u.searchParams });
      const { status = 200, body } = handler(u, req);
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen.length = 0;
    handler = () => ({
      body: JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } }),
    });
  });

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const plan = () => path.join(dir, "plan.json");
  const args = (...extra: string[]) => [
    "dev",
    "--compare",
    plan(),
    "--plan",
    plan(),
    "--prometheus-url",
    url,
    "--range",
    "1h",
    "--end",
    String(T),
    ...extra,
  ];

  it("--help prints the usage, the options, the exit codes and an example", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.out, USAGE);
    for (const part of [
      "--compare",
      "--prometheus-url",
      "--step",
      "--format",
      "exit status:\n  0  ",
      "example:",
    ])
      assert.ok(r.out.includes(part), part);
  });

  it("an unknown option, a missing one or a bad value prints the usage and exits 1", async () => {
    for (const [argv, why] of [
      [["dev", "--compare", plan(), "--prometheus-url", url, "--bogus"], "--bogus: unknown option"],
      [["dev", "--prometheus-url", url], "--compare: the earlier plan.json is required"],
      [args("--format", "yaml"), "--format: expected text, json or markdown"],
      [args("--range", "a week"), '--range: expected a duration such as 7d, not "a week"'],
      [args("--step", "0s"), "--step: expected a duration of at least 1s"],
      [["../x", "--compare", plan(), "--prometheus-url", url], '"../x" is not a stack name'],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 1, why);
      assert.ok(r.err.startsWith(why), `${why}: ${r.err.split("\n")[0]}`);
      assert.ok(r.err.endsWith(USAGE), why);
    }
  });

  it("refuses a URL with credentials without printing them, and a plan of another stack naming the key", async () => {
    const secretUrl = url.replace("://", "://admin:s3cret-pw@");
    const r = await run(["dev", "--compare", plan(), "--prometheus-url", secretUrl]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out + r.err, /s3cret-pw/);
    const other = await run([...args().slice(0, 2), path.join(dir, "prod.json"), ...args().slice(3)]);
    assert.equal(other.code, 1);
    assert.equal(other.err, `${path.join(dir, "prod.json")}: .stack: a plan of stack "prod", expected "dev"`);
    assert.equal(seen.length, 0, "nothing was asked of the server");
  });

  it("asks query_range at the group's interval (or --step) with the token from the environment, never printing it", async () => {
    const r = await run(args("--format", "json"), { KUBE_MONITORING_VERIFY_TOKEN: "tok-123" });
    assert.equal(r.code, 0, r.err);
    assert.equal(seen.length, 1, "one expression, unchanged: one query");
    assert.equal(seen[0].auth, "Bearer tok-123");
    assert.deepEqual(
      ["query", "start", "end", "step"].map((k) => seen[0].params.get(k)),
      ["up == 0", String(T - 3600 - 60), String(T), "60"],
    );
    assert.doesNotMatch(r.out + r.err, /tok-123/);
    const parsed = JSON.parse(r.out);
    assert.deepEqual(Object.keys(parsed), ["stack", "range", "alerts", "receivers", "queries", "complete"]);
    assert.deepEqual(parsed.alerts[0], {
      key: "shop/shop/g/Up",
      alert: "Up",
      app: "shop",
      namespace: "shop",
      group: "g",
      change: "unchanged",
      old: { episodes: 0, firingSeconds: 0 },
      new: { episodes: 0, firingSeconds: 0 },
    });
    await run(args("--step", "5m"), {
      KUBE_MONITORING_VERIFY_USER: "u",
      KUBE_MONITORING_VERIFY_PASSWORD: "p",
    });
    assert.equal(seen[1].params.get("step"), "300");
    assert.equal(seen[1].auth, `Basic ${Buffer.from("u:p").toString("base64")}`);
  });

  it("shows its queries' progress on a terminal's stderr, and nothing in CI", async () => {
    const progressOf = async (env: NodeJS.ProcessEnv) => {
      const written: string[] = [];
      const code = await main(args("--format", "json"), {
        out: () => {},
        err: () => {},
        env,
        progress: { isTTY: true, columns: 80, write: (t: string) => written.push(t) },
      });
      assert.equal(code, 0);
      return written;
    };
    assert.deepEqual(await progressOf({}), [
      "\rbacktest dev: 0/1 queries\x1b[K",
      "\rbacktest dev: 1/1 queries\x1b[K",
      "\r\x1b[K",
    ]);
    assert.deepEqual(await progressOf({ CI: "true" }), []);
  });

  it("exits 3 naming the URL when the server answers garbage or cannot be reached", async () => {
    const garbage: [string, Handler][] = [
      ["HTTP 200, and not JSON", () => ({ body: "<html>hi</html>" })],
      ['not a Prometheus API answer (no "status")', () => ({ body: "[1,2]" })],
      [
        "not a range query answer",
        () => ({ body: JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }) }),
      ],
      [
        'data.result[0].values[0]: expected [seconds, "value"]',
        () => ({
          body: JSON.stringify({
            status: "success",
            data: { resultType: "matrix", result: [{ metric: {}, values: [["x", 1]] }] },
          }),
        }),
      ],
      [
        "HTTP 503, unavailable: down",
        () => ({
          status: 503,
          body: JSON.stringify({ status: "error", errorType: "unavailable", error: "down" }),
        }),
      ],
      ["401: not allowed", () => ({ status: 401, body: "" })],
    ];
    for (const [why, h] of garbage) {
      handler = h;
      const r = await run(args());
      assert.equal(r.code, 3, why);
      assert.ok(r.err.startsWith(`cannot backtest dev: ${url}/api/v1/query_range: `), r.err);
      assert.ok(r.err.includes(why), `${why}: ${r.err}`);
    }
    const closed = await run(args().map((a) => (a === url ? "http://127.0.0.1:9" : a)));
    assert.equal(closed.code, 3);
    assert.match(
      closed.err,
      /^cannot backtest dev: http:\/\/127\.0\.0\.1:9\/api\/v1\/query_range: cannot connect/,
    );
  });

  it("reports an alert the server refuses, or with too many series, and still counts the rest", async () => {
    handler = () => ({
      status: 422,
      body: JSON.stringify({ status: "error", errorType: "execution", error: "too many samples" }),
    });
    const refused = JSON.parse((await run(args("--format", "json"))).out);
    assert.deepEqual(refused.alerts[0].errors, {
      old: "execution: too many samples",
      new: "execution: too many samples",
    });
    assert.equal(refused.complete, false);
    const series = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ metric: { i: String(i) }, values: [[T, "1"]] }));
    handler = () => ({
      body: JSON.stringify({ status: "success", data: { resultType: "matrix", result: series(3) } }),
    });
    const capped = await run(args("--format", "json", "--max-series", "2"));
    assert.equal(capped.code, 0);
    assert.equal(
      JSON.parse(capped.out).alerts[0].errors.new,
      "returned 3 series, more than the 2 allowed per query",
    );
    const text = await run(args("--max-series", "2"));
    assert.ok(text.out.includes("new: returned 3 series, more than the 2 allowed per query"), text.out);
  });
});
