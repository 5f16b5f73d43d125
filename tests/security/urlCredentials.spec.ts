/**
 * Credentials in URLs are refused in every URL field of the stack and in verify's API URLs, without
 * echoing them anywhere.
 */
import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { urlCarriesCredentials } from "../../components/schemaPrimitives";
import { main as verifyMain } from "../../plan/verify";
import { planWithConfig } from "../helpers/plan";
import { captureConsole } from "./capture";
import { fullConfig, namespaced, withLeaf } from "./fixture";

const SECRET = "S3NT1NEL-url-credential";

function problems(at: (string | number)[], value: unknown, raw = fullConfig()): string[] {
  try {
    parseStackConfig("url", withLeaf(raw, at, value));
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

const withWorkload = () => {
  const raw = fullConfig() as { apps: Record<string, unknown>[] };
  delete raw.apps[0].target;
  raw.apps[0].workload = {
    image: "ghcr.io/example/shop:1.0.0",
    containerPort: 8080,
    healthPath: "/health",
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  };
  return raw;
};

describe("credentials in URLs", () => {
  const carriers = [
    `https://user:${SECRET}@shop.example.com/`,
    `https://shop.example.com/?private_token=${SECRET}`,
    `https://shop.example.com/?PRIVATE-TOKEN=${SECRET}`,
    `https://shop.example.com/x?a=1&access_token=${SECRET}`,
    `https://shop.example.com/?apiKey=${SECRET}`,
    `https://shop.example.com/?X-Amz-Signature=${SECRET}`,
    `https://shop.example.com/?%74oken=${SECRET}`,
    `//user:${SECRET}@shop.example.com/`,
  ];

  it("recognises userinfo and token-like parameters in absolute, relative and embedded URLs", () => {
    for (const url of carriers) assert.ok(urlCarriesCredentials(url), url);
    assert.ok(urlCarriesCredentials(`/health?token=${SECRET}`));
    assert.ok(urlCarriesCredentials(`see https://a:${SECRET}@x.example.com for details`));
    for (const clean of [
      "https://shop.example.com/?page=2",
      "/metrics",
      "https://a.example.com/@user",
      "a@b.c",
    ])
      assert.ok(!urlCarriesCredentials(clean), clean);
  });

  it("refuses them in probe targets, federation, remote write, runbooks and OAuth endpoints", () => {
    const fields: (string | number)[][] = [
      ["apps", 0, "probes", 0, "targets", 0],
      ["federation", 0, "url"],
      ["remoteWrite", 0, "url"],
      ["alerting", "runbookBaseUrl"],
      ["grafana", "sso", "authUrl"],
      ["grafana", "sso", "apiUrl"],
    ];
    let tried = 0;
    for (const at of fields) {
      for (const url of carriers) {
        const found = problems(at, url);
        tried += 1;
        assert.equal(found.length, 1, `${at.join(".")} ${url}: ${found.join(" / ")}`);
        assert.match(found[0], /must not carry credentials/);
        assert.ok(!found[0].includes(SECRET), found[0]);
      }
    }
    assert.equal(tried, 48);
  });

  it("refuses them in health and metrics paths", () => {
    for (const pathValue of [`/health?token=${SECRET}`, `//u:${SECRET}@evil.example.com/health`]) {
      const health = problems(["apps", 0, "workload", "healthPath"], pathValue, withWorkload());
      assert.equal(health.length, 1, pathValue);
      assert.match(health[0], /^url: apps\[0\]\.workload\.healthPath: must not carry credentials/);
      const metrics = problems(["apps", 0, "serviceMonitor", "endpoints", 0, "path"], pathValue);
      assert.match(metrics[0], /^url: apps\[0\]\.serviceMonitor\.endpoints\[0\]\.path: must not carry/);
      assert.ok(![...health, ...metrics].some((p) => p.includes(SECRET)));
    }
  });

  it("a full plan refuses a probe target with a token, with no trace of it in the report", async () => {
    const raw = withLeaf(fullConfig(), ["apps", 0, "probes", 0, "targets", 0], carriers[1]);
    const result = await planWithConfig("urlcred", namespaced(raw));
    assert.equal(result.exitCode, 1);
    assert.match(result.report, /^urlcred: apps\[0\]\.probes\[0\]\.targets\[0\]: must not carry credentials/);
    assert.ok(!result.report.includes(SECRET));
  });

  it("verify refuses API URLs with private_token-style parameters, exit 1, never echoed", async () => {
    const urls = [
      `http://127.0.0.1:9090/?private_token=${SECRET}`,
      `http://127.0.0.1:9090/?api_key=${SECRET}`,
      `http://127.0.0.1:9090/?token=${SECRET}`,
      `http://u:${SECRET}@127.0.0.1:9090/`,
    ];
    for (const url of urls) {
      for (const flag of ["--prometheus-url", "--alertmanager-url"]) {
        const other = flag === "--prometheus-url" ? "--alertmanager-url" : "--prometheus-url";
        const run = await captureConsole(() => verifyMain(["dev", flag, url, other, "http://127.0.0.1:9"]));
        assert.equal(run.result, 1, url);
        assert.match(run.stderr, new RegExp(`^${flag}: must not carry credentials`));
        assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET));
      }
    }
  });
});
