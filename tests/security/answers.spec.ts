/**
 * Server answers are input (class 8 of issue 23): `verify` and `check --prometheus-url` give exit 3
 * naming the URL and what was wrong on a slow, truncated, oversized, non-JSON or wrongly shaped answer,
 * within the timeout, and `verify --wait` retries them.
 */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { checkWithServer } from "../../plan/check";
import { verify } from "../../plan/verify";
import { ApiError, httpClient } from "../../plan/verifyApi";

const ESC = "\u001b]8;;https://evil.example\u0007";

/** Answers by path: a body, or a function writing to the response itself. */
type Route = string | ((res: http.ServerResponse) => void);

describe("security: verify and check on bad answers", function () {
  this.timeout(30_000);
  let server: http.Server;
  let base: string;
  let routes: Record<string, Route> = {};
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      const route = routes[(req.url ?? "").split("?")[0]];
      hits.push(req.url ?? "");
      if (route === undefined) res.writeHead(404).end();
      else if (typeof route === "string")
        res.writeHead(200, { "content-type": "application/json" }).end(route);
      else route(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    routes = {};
    hits.length = 0;
  });

  const targets = () => `${base}/api/v1/targets?state=active`;
  const run = (opts: { waitSeconds?: number; timeoutMs?: number; maxBytes?: number } = {}) =>
    verify({
      stack: "dev",
      plan: { stack: "dev", resources: [] },
      endpoints: { prometheus: base, alertmanager: base },
      client: httpClient({}, opts.timeoutMs ?? 3000, opts.maxBytes),
      waitSeconds: opts.waitSeconds,
      retryMs: 50,
    });

  it("gives exit 3 naming the URL and the key on answers of the wrong shape", async () => {
    const cases: [string, string][] = [
      ['{"data": null}', 'not a Prometheus targets answer: status: expected "success"'],
      ['{"status":"success","data":null}', "not a Prometheus targets answer: data: expected object"],
      [
        '{"status":"success","data":{"activeTargets":"all"}}',
        "not a Prometheus targets answer: data.activeTargets: expected array",
      ],
      [
        '{"status":"success","data":{"activeTargets":[{"scrapePool":"p","health":1,"scrapeUrl":"u"}]}}',
        "not a Prometheus targets answer: data.activeTargets[0].health: expected string",
      ],
      ["[1,2]", "not a Prometheus targets answer: the answer: expected object"],
      [
        '{"status":"success","data":{"activeTargets":[',
        'answered with something that is not JSON: "{\\"status\\":\\"success\\",\\"data\\":{\\"activeTargets\\":["',
      ],
      ["", "answered nothing (an empty body)"],
    ];
    for (const [body, why] of cases) {
      routes = { "/api/v1/targets": body };
      const started = Date.now();
      const result = await run();
      assert.equal(result.exitCode, 3, body);
      assert.equal(result.error, `${base}/api/v1/targets?state=active: ${why}`, body);
      assert.ok(Date.now() - started < 4000);
    }
  });

  it("checks each answer: rules, Alertmanager status (its YAML too), alerts", async () => {
    const okTargets = '{"status":"success","data":{"activeTargets":[]}}';
    const okRules = '{"status":"success","data":{"groups":[]}}';
    const cases: [Record<string, Route>, string][] = [
      [
        { "/api/v1/rules": '{"status":"success","data":{"groups":[{"name":"g"}]}}' },
        "/api/v1/rules: not a Prometheus rules answer: data.groups[0].file: expected string",
      ],
      [
        { "/api/v1/rules": okRules, "/api/v2/status": '{"config":{}}' },
        "/api/v2/status: not an Alertmanager status: config.original: expected string",
      ],
      [
        {
          "/api/v1/rules": okRules,
          "/api/v2/status": JSON.stringify({
            config: {
              original:
                "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
            },
          }),
        },
        "/api/v2/status: config.original expands aliases past 100 (an alias bomb?); write the values out",
      ],
      [
        {
          "/api/v1/rules": okRules,
          "/api/v2/status": JSON.stringify({ config: { original: "receivers: {name: x}" } }),
        },
        "/api/v2/status: not an Alertmanager configuration: receivers: expected array",
      ],
      [
        {
          "/api/v1/rules": okRules,
          "/api/v2/status": JSON.stringify({ config: { original: "receivers: []" } }),
          "/api/v2/alerts": '{"alerts": []}',
        },
        "/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22: not an Alertmanager alerts answer: the answer: expected array",
      ],
    ];
    for (const [answers, why] of cases) {
      routes = { "/api/v1/targets": okTargets, ...answers };
      const result = await run();
      assert.equal(result.exitCode, 3, why);
      assert.equal(result.error, `${base}${why}`);
    }
  });

  it("gives up on slow, trickling and truncated answers within the timeout", async () => {
    const cases: [Route, string][] = [
      [() => undefined, "no answer within 0.3s"],
      [
        (res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"status":"success",');
          // The rest never comes: the body is cut at the timeout, not waited for.
        },
        "no answer within 0.3s",
      ],
      [
        (res) => {
          res.writeHead(200, { "content-length": "1000" });
          res.write('{"status":"success","data":{"activeTargets":[');
          setTimeout(() => res.destroy(), 20);
        },
        "the answer broke off before its end (truncated)",
      ],
    ];
    for (const [route, why] of cases) {
      routes = { "/api/v1/targets": route };
      const started = Date.now();
      const result = await run({ timeoutMs: 300 });
      assert.equal(result.exitCode, 3);
      assert.equal(result.error, `${targets()}: ${why}`);
      assert.ok(Date.now() - started < 2000, `${Date.now() - started}ms`);
    }
  });

  it("caps an answer's size while it streams, with or without a content-length", async () => {
    const chunk = `"${"x".repeat(1000)}",`;
    routes = {
      "/api/v1/targets": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"status":"success","data":{"activeTargets":[');
        // Endless: only the cap stops the reader.
        const pump = () => {
          if (res.destroyed) return;
          if (res.write(chunk)) setImmediate(pump);
          else res.once("drain", pump);
        };
        pump();
      },
    };
    const streamed = await run({ maxBytes: 64 * 1024, timeoutMs: 5000 });
    assert.equal(streamed.error, `${targets()}: answered more than the 65536 bytes allowed`);
    routes = {
      "/api/v1/targets": (res) => res.writeHead(200, { "content-length": "70000" }).end("x".repeat(70_000)),
    };
    const declared = await run({ maxBytes: 64 * 1024 });
    assert.equal(declared.error, `${targets()}: answered 70000 bytes, more than the 65536 allowed`);
  });

  it("--wait retries bad answers until the deadline, then exits 3", async () => {
    routes = { "/api/v1/targets": '{"data": null}' };
    const started = Date.now();
    const result = await run({ waitSeconds: 0.5 });
    assert.equal(result.exitCode, 3);
    assert.ok(hits.length >= 3, `${hits.length} tries`);
    assert.ok(Date.now() - started < 3000);
    // An answer that turns good in time is a pass, not an error.
    let tries = 0;
    routes = {
      "/api/v1/targets": (res) =>
        res.end(++tries < 3 ? "{" : '{"status":"success","data":{"activeTargets":[]}}'),
      "/api/v1/rules": '{"status":"success","data":{"groups":[]}}',
      "/api/v2/status": JSON.stringify({ config: { original: "receivers: []" } }),
      "/api/v2/alerts": '[{"status":{"state":"active"}}]',
      "/api/v1/query": '{"status":"success","data":{"result":[]}}',
    };
    const healed = await run({ waitSeconds: 5 });
    assert.equal(healed.exitCode, 0, JSON.stringify(healed));
    assert.equal(tries, 3);
  });

  it("check --prometheus-url: a wrong metadata answer is an ApiError naming the URL and key", async () => {
    routes = { "/api/v1/metadata": '{"status":"success","data":null}' };
    await assert.rejects(
      checkWithServer(["tests/fixtures/check/upstream.rules.yaml"], {}, base, "1d", httpClient({}, 3000)),
      (err: Error) =>
        err instanceof ApiError &&
        err.message === `${base}/api/v1/metadata: not a Prometheus metadata answer: data: expected record`,
    );
    routes = {
      "/api/v1/metadata": JSON.stringify({ status: "success", data: { up: [{ type: 7, help: ESC }] } }),
    };
    await assert.rejects(
      checkWithServer(["tests/fixtures/check/upstream.rules.yaml"], {}, base, "1d", httpClient({}, 3000)),
      (err: Error) =>
        err instanceof ApiError &&
        err.message ===
          `${base}/api/v1/metadata: not a Prometheus metadata answer: data.up[0].type: expected string` &&
        !err.message.includes(ESC),
    );
  });
});
