/**
 * Hostile and careless input: each class must be refused or reported, naming the key or file, and no
 * credential may reach any output.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { appRuleGroups, isPinnedImage } from "../components";
import { planStack, stackOutDir } from "../plan/plan";
import { configWith, problemsOf } from "./helpers/config";
import { planCli } from "./helpers/cli";
import { devPolicyConfig, planWithConfig, projectDir } from "./helpers/plan";

const SENTINEL = "S3NT1NEL-credential-value";
const base = {
  "kube-monitoring:environment": "dev",
  "kube-monitoring:clusterName": "dev-1",
  "kube-monitoring:prometheus": { retention: "2d" },
};

/** Plans `config`, then checks that the sentinel is nowhere in what the plan printed or wrote. */
async function planRefusing(stack: string, config: Record<string, unknown>) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-gate-"));
  try {
    const result = await planWithConfig(stack, { ...base, ...config }, out, devPolicyConfig());
    const written = fs
      .readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"));
    assert.ok(!result.report.includes(SENTINEL), "the report shows the credential");
    assert.ok(!written.some((text) => text.includes(SENTINEL)), "a written file holds the credential");
    return result;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe("gate integrity: secrets", () => {
  it("judges every credential on its own: a secure token beside a plain password does not vouch for it", async () => {
    const result = await planRefusing("leaf", {
      "kube-monitoring:remoteWrite": [
        {
          name: "a",
          url: "https://a.example.com/api/v1/write",
          auth: { type: "bearer", token: { secure: "v1:AAAA" } },
        },
        {
          name: "b",
          url: "https://b.example.com/api/v1/write",
          auth: { type: "basic", username: "w", password: SENTINEL },
        },
      ],
    });
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.report,
      "Pulumi.leaf.yaml:18: remoteWrite[1].auth.password: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'remoteWrite[1].auth.password' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
    );
  });

  it("does the same for receivers", async () => {
    const receivers = [
      { name: "pd", pagerduty: { routingKey: { secure: "v1:AAAA" } } },
      { name: "og", opsgenie: { apiKey: SENTINEL } },
    ];
    const result = await planRefusing("leafrcv", {
      "kube-monitoring:alerting": { receivers, defaultReceiver: "pd" },
    });
    assert.equal(result.exitCode, 1);
    assert.match(
      result.report,
      /^Pulumi\.leafrcv\.yaml:14: alerting\.receivers\[og\]\.opsgenie\.apiKey: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'alerting\.receivers\[1\]\.opsgenie\.apiKey' VALUE, or keep it in a Secret and reference it: \{ secretName: <Secret>, key: <key> \}/,
    );
  });

  it("refuses secure: on a field that is not a credential, which would be written in plain text", async () => {
    const result = await planRefusing("misplaced", {
      "kube-monitoring:alerting": {
        receivers: [
          {
            name: "mail",
            email: {
              to: "a@example.com",
              from: "b@example.com",
              smarthost: "smtp.example.com:587",
              authUsername: { secure: "v1:CCCC" },
            },
          },
        ],
        defaultReceiver: "mail",
      },
    });
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.report,
      "Pulumi.misplaced.yaml:14: alerting.receivers[mail].email.authUsername: is secure: but is not a credential, so it would be written in plain text to the manifests and Helm values; keep it plain, or keep the secret in a Secret and reference it",
    );
  });

  it("never echoes a credential in a message, numeric or not", () => {
    assert.deepEqual(
      problemsOf({
        remoteWrite: [
          { name: "a", url: "https://h.example.com/w", auth: { type: "bearer", token: 987654321 } },
        ],
      }),
      ["prod: remoteWrite[0].auth.token: [secret] is not a string"],
    );
  });
});

describe("gate integrity: credentials in URLs", () => {
  const refusal =
    "must not carry credentials (user:password@ or a token in the query); give them in the auth block where the field has one, or the whole URL as a secret where it allows (webhook.urlSecret)";

  it("refuses userinfo and token query parameters in remote write, federation and webhook URLs", async () => {
    const result = await planRefusing("urls", {
      "kube-monitoring:remoteWrite": [
        { name: "a", url: `https://writer:${SENTINEL}@mimir.example.com/api/v1/push` },
      ],
      "kube-monitoring:federation": [
        { name: "f", url: `https://u:${SENTINEL}@prom.example.com:9090`, match: ["up"] },
      ],
      "kube-monitoring:alerting": {
        receivers: [{ name: "hook", webhook: { url: `https://hooks.example.com/x?token=${SENTINEL}` } }],
        defaultReceiver: "hook",
      },
    });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.report.split("\n"), [
      `urls: remoteWrite[0].url: ${refusal}`,
      `urls: federation[0].url: ${refusal}`,
      `urls: alerting.receivers[0].webhook.url: ${refusal}`,
    ]);
  });

  it("hides a malformed URL that holds credentials (refused for them before its shape is judged)", () => {
    assert.deepEqual(problemsOf({ remoteWrite: [{ name: "a", url: `https://u:${SENTINEL}@bad host/` }] }), [
      `prod: remoteWrite[0].url: ${refusal}`,
    ]);
  });
});

describe("gate integrity: paths and names", () => {
  it("refuses a stack name that is a path, before anything is read or written", async () => {
    for (const stack of ["./../x", "..", "a/b", ""]) {
      const result = await planStack({ projectDir, stack, outDir: os.tmpdir() });
      assert.equal(result.exitCode, 1, stack);
      assert.match(
        result.report,
        /is not a stack name: letters, digits, '-', '_' and '\.', at most 100 characters, not only dots$/,
      );
    }
    assert.throws(() => stackOutDir("/tmp/out", ".."), /would write outside \/tmp\/out/);
    assert.equal(stackOutDir("/tmp/out", "prod"), "/tmp/out/prod");
  });

  it("refuses invalid label keys in selectors and quotes pod-name regexes into PromQL", () => {
    assert.deepEqual(problemsOf({ apps: [{ name: "a", namespace: "a", selector: { "bad key!": "v" } }] }), [
      'prod: apps[a].selector: "bad key!" is not a Kubernetes label key (like app or app.kubernetes.io/name)',
    ]);
    const injection = 'x"} or vector(1) or up{pod=~".*';
    const cfg = configWith({
      alerting: { runbookBaseUrl: "https://runbooks.example.com" },
      apps: [{ name: "a", namespace: "a", podNameRegex: injection, alerts: { memory: {} } }],
    });
    const [memory] = appRuleGroups(cfg.apps[0], "https://runbooks.example.com").flatMap((g) => g.rules);
    const expr = String(memory?.expr);
    const nodes: string[] = [];
    parser.parse(expr).iterate({ enter: (n) => void nodes.push(n.type.name) });
    assert.ok(!nodes.includes("⚠"), "the expression must parse");
    assert.ok(!nodes.includes("Or"), `the regex broke out of its string: ${expr}`);
    assert.ok(expr.includes(`pod=~${JSON.stringify(injection)}`));
  });

  it("refuses error selectors that are not label matchers", () => {
    assert.deepEqual(
      problemsOf({
        apps: [
          { name: "a", namespace: "a", metrics: { errorSelector: 'code="500"} or vector(1) or up{x="' } },
        ],
      }),
      [
        'prod: apps[a].metrics.errorSelector: "code=\\"500\\"} or vector(1) or up{x=\\"" is not a list of label matchers (like status=~"5..", or code="500", method!="GET")',
      ],
    );
    assert.equal(
      configWith({
        apps: [{ name: "a", namespace: "a", metrics: { errorSelector: 'code=~"5..", method!="GET"' } }],
      }).apps[0].metrics.errorSelector,
      'code=~"5..", method!="GET"',
    );
  });

  it("takes images with a real tag or a digest, registries with ports, and refuses latest", () => {
    assert.deepEqual(
      [
        "registry:5000/team/api:1.2.3",
        "ghcr.io/x/y:2.0",
        `nginx@sha256:${"a".repeat(64)}`,
        "nginx:latest",
        "nginx",
        "registry:5000/team/api",
      ].map(isPinnedImage),
      [true, true, true, false, false, false],
    );
  });
});

describe("gate integrity: letter but not spirit", () => {
  it("refuses zero and absurd requests and limits, and a zero retentionSize", () => {
    assert.deepEqual(
      problemsOf({
        prometheus: {
          retentionSize: "0GiB",
          resources: { requests: { cpu: "0", memory: "0" }, limits: { cpu: "100000", memory: "1Ei" } },
        },
      }),
      [
        "prod: prometheus.resources.requests.cpu: 0 must be more than 0",
        "prod: prometheus.resources.requests.memory: 0 must be more than 0",
        "prod: prometheus.resources.limits.memory: 1Ei is more than any node has (at most 2Ti)",
        "prod: prometheus.resources.limits.cpu: 100000 is more than any node has (at most 256 cores)",
        "prod: prometheus.retentionSize: 0GiB turns size-based retention off; give a size above 0, or leave it out to derive it",
        "prod: prometheus.resources.requests.memory: 0 must equal limits.memory 1Ei in prod (Guaranteed memory, never evicted first)",
      ],
    );
  });

  it("holds Prometheus' global scrape and evaluation intervals to the monitor floor", async () => {
    const result = await planWithConfig(
      "fast",
      {
        ...base,
        "kube-monitoring:prometheus": { retention: "2d", scrapeInterval: "1s", evaluationInterval: "1s" },
      },
      undefined,
      devPolicyConfig(),
    );
    assert.equal(result.exitCode, 2);
    assert.deepEqual(
      result.plan!.violations.filter((v) => v.policy === "monitor-targets-resolve").map((v) => v.message),
      [
        "Helm release kps-release: prometheus.prometheusSpec.scrapeInterval 1s is below the 10s floor.",
        "Helm release kps-release: prometheus.prometheusSpec.evaluationInterval 1s is below the 10s floor.",
      ],
    );
  });
});

describe("gate integrity: the plan command line", () => {
  const cli = planCli;

  it("checks --markdown, --compare and --out before planning, naming the file", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-cli-"));
    try {
      const markdown = await cli(["dev", "--out", out, "--markdown", path.join(out, "x.md")]);
      assert.equal(markdown.status, 1);
      assert.match(markdown.stderr, /^--markdown needs --compare/);
      const missing = await cli(["dev", "--out", out, "--compare", path.join(out, "nope.json")]);
      assert.equal(missing.status, 1);
      assert.equal(missing.stderr.trim(), `--compare ${path.join(out, "nope.json")}: no such file`);
      fs.writeFileSync(path.join(out, "broken.json"), "{");
      const broken = await cli(["dev", "--out", out, "--compare", path.join(out, "broken.json")]);
      assert.match(
        broken.stderr,
        new RegExp(
          `^--compare ${path.join(out, "broken.json")}: not valid JSON \\(it ends early: truncated\\?\\)$`,
          "m",
        ),
      );
      fs.writeFileSync(
        path.join(out, "other.json"),
        JSON.stringify({ stack: "dev", project: "other", resources: [] }),
      );
      const other = await cli(["dev", "--out", out, "--compare", path.join(out, "other.json")]);
      assert.equal(other.status, 1);
      assert.equal(
        other.stderr.trim(),
        `--compare ${path.join(out, "other.json")}: a plan of project "other", not "kube-monitoring"; nothing to compare`,
      );
      fs.writeFileSync(
        path.join(out, "prod.json"),
        JSON.stringify({ stack: "prod", project: "kube-monitoring", resources: [] }),
      );
      const otherStack = await cli(["dev", "--out", out, "--compare", path.join(out, "prod.json")]);
      assert.equal(otherStack.status, 1);
      assert.equal(
        otherStack.stderr.trim(),
        `--compare ${path.join(out, "prod.json")}: a plan of stack "prod", not "dev"; compare a stack only with its own earlier plan`,
      );
      const proc = await cli(["dev", "--out", "/proc/self"]);
      assert.equal(proc.status, 1);
      assert.equal(proc.stderr.trim(), "--out /proc/self: /proc is not a place for plan files");
      // Every misuse was refused before planning: nothing was written.
      assert.deepEqual(fs.readdirSync(out).sort(), ["broken.json", "other.json", "prod.json"]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
