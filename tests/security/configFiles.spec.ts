/**
 * Values that reach other programs' configuration files (grafana.ini, Alertmanager, Prometheus) are
 * validated for where they land; fixed-shape fields are parsed. Refusals name the key, never the value.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseStackConfig } from "../../components/config";
import { planWithConfig } from "../helpers/plan";
import { fullConfig, namespaced, withLeaf } from "./fixture";

function problems(at: (string | number)[], value: unknown): string[] {
  try {
    parseStackConfig("cf", withLeaf(fullConfig(), at, value));
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

/** Every file under `dir`, as text. */
const written = (dir: string) =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"));

describe("values for grafana.ini, Alertmanager and Prometheus", () => {
  it("refuses an SSO name that would inject a grafana.ini section: exit 1, key named, nothing written", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-ini-"));
    try {
      const raw = withLeaf(
        fullConfig(),
        ["grafana", "sso", "name"],
        "Okta\n[auth.anonymous]\nenabled = true",
      );
      const result = await planWithConfig("inject", namespaced(raw), out);
      assert.equal(result.exitCode, 1);
      assert.equal(result.report, "inject: grafana.sso.name: holds a line break; it must be one line");
      assert.equal(result.plan, undefined);
      assert.ok(!written(out).some((t) => t.includes("auth.anonymous")));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("refuses line breaks and control characters in every grafana.ini field, naming it", () => {
    for (const field of ["name", "clientId", "authUrl", "tokenUrl", "apiUrl", "groupsAttributePath"]) {
      const found = problems(["grafana", "sso", field], "a\nb = c");
      assert.deepEqual(found, [`cf: grafana.sso.${field}: holds a line break; it must be one line`], field);
    }
    assert.deepEqual(problems(["grafana", "sso", "allowedDomains", 0], "example.com\u001b[0m"), [
      "cf: grafana.sso.allowedDomains[0]: holds a control character (ESC, NUL, DEL, a bidi override or the like)",
    ]);
  });

  it("refuses Grafana's $__file and $__env expansions in ini values", () => {
    assert.deepEqual(problems(["grafana", "sso", "name"], "$__file{/etc/passwd}"), [
      "cf: grafana.sso.name: must not hold $__ (Grafana expands $__env{…} and $__file{…} in grafana.ini)",
    ]);
    assert.equal(problems(["grafana", "sso", "clientId"], "$__env{AWS_SECRET}").length, 1);
  });

  it("parses OAuth URLs: https only, no credentials, never echoed", () => {
    assert.deepEqual(problems(["grafana", "sso", "authUrl"], "http://sso.example.com/authorize"), [
      'cf: grafana.sso.authUrl: "http://sso.example.com/authorize" is not an https URL',
    ]);
    for (const url of [
      "https://user:S3NT1NEL@sso.example.com/token",
      "https://sso.example.com/token?client_secret=S3NT1NEL",
      "https://sso.example.com/token?access_token=S3NT1NEL",
    ]) {
      const found = problems(["grafana", "sso", "tokenUrl"], url);
      assert.equal(found.length, 1, url);
      assert.match(found[0], /^cf: grafana\.sso\.tokenUrl: must not carry credentials/);
      assert.ok(!found[0].includes("S3NT1NEL"));
    }
    assert.equal(problems(["grafana", "sso", "apiUrl"], "javascript:alert(1)").length, 1);
  });

  it("parses allowed domains as host names and group names as what the role mapping can quote", () => {
    for (const domain of ["*.example.com", "example.com evil.com", "EXAMPLE..com", "example.com/x"])
      assert.match(
        problems(["grafana", "sso", "allowedDomains", 0], domain)[0],
        /is not a host name/,
        domain,
      );
    for (const group of ["a') || 'Admin", "two words", "a,b", 'q"uote', "back\\slash"]) {
      assert.match(problems(["grafana", "sso", "roles", "admin", 0], group)[0], /is not a group name/, group);
      assert.match(problems(["grafana", "sso", "allowedGroups", 0], group)[0], /is not a group name/, group);
    }
    assert.match(
      problems(["grafana", "sso", "groupsAttributePath"], "groups[*] || `Admin`")[0],
      /^cf: grafana\.sso\.groupsAttributePath: .* is not a field path/,
    );
    assert.match(problems(["grafana", "sso", "scopes", 0], "openid email")[0], /is not an OAuth scope/);
  });

  it("refuses template syntax outside template fields (Alertmanager renders slack channels, Prometheus labels)", () => {
    const receiverChannel = ["alerting", "receivers", 0, "slack", "channel"];
    assert.deepEqual(problems(receiverChannel, "#x{{ .CommonLabels }}"), [
      "cf: alerting.receivers[0].slack.channel: holds template syntax ({{); only annotations, rule labels and SLO queries are templates",
    ]);
    assert.match(
      problems(["apps", 0, "team"], '{{ template "x" }}')[0],
      /^cf: apps\[0\]\.team: holds template syntax/,
    );
    // Annotations of a rule are templates: accepted.
    assert.deepEqual(
      problems(["apps", 0, "alerts", "custom", 0, "annotations", "summary"], "{{ $labels.job }} down"),
      [],
    );
  });

  it("keeps PromQL and annotations multi-line, but refuses carriage returns there", () => {
    assert.deepEqual(problems(["apps", 0, "alerts", "custom", 0, "expr"], "up\n== 0"), []);
    assert.deepEqual(problems(["apps", 0, "alerts", "custom", 0, "expr"], "up\r\n== 0"), [
      "cf: apps[0].alerts.custom[0].expr: holds a carriage return",
    ]);
  });

  it("caps string lengths", () => {
    assert.deepEqual(problems(["grafana", "sso", "name"], "n".repeat(3000)), [
      "cf: grafana.sso.name: is 3000 characters long; at most 2048",
    ]);
  });
});
