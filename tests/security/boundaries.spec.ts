/**
 * Boundaries other stacks and the cluster could cross (classes 7 and 8 of issue 23): an internal Grafana
 * ingress stays internal (schema and policy grafana-access), and a team stack parses everything it reads
 * from the platform's contract, and only from the plan of the platform stack it names.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseStackConfig } from "../../components/config";
import { PLATFORM_CONTRACT_VERSION, parsePlatformContract } from "../../components/platformContract";
import { grafanaAccess } from "../../policies/grafana";
import { isPrivateCidr } from "../../policies/ingressScope";
import { planCli } from "../helpers/cli";
import { HELM_RELEASE, planOf, teamFixturesDir } from "../helpers/plan";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";
import { fullConfig, withLeaf } from "./fixture";

const SENTINEL = "S3NT1NEL-boundary";

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig("edge", raw);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

/** fullConfig with an ALB ingress (internal by default) carrying `annotations`. */
const alb = (annotations: Record<string, string>, extra: Record<string, unknown> = {}) =>
  withLeaf(fullConfig(), ["grafana", "ingress"], {
    host: "grafana.example.com",
    className: "alb",
    tls: { acmCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" },
    annotations,
    ...extra,
  });

describe("security: an internal Grafana ingress stays internal", () => {
  it("refuses a scheme annotation, a shared ALB group, the legacy class annotation and another ALB class", () => {
    assert.deepEqual(problems(alb({ "alb.ingress.kubernetes.io/scheme": "internet-facing" })), [
      "edge: grafana.ingress.annotations.alb.ingress.kubernetes.io/scheme: is set by the stack from grafana.ingress.internal; remove it",
    ]);
    assert.deepEqual(problems(alb({ "alb.ingress.kubernetes.io/group.name": "shared-public" })), [
      "edge: grafana.ingress.annotations.alb.ingress.kubernetes.io/group.name: joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own",
    ]);
    assert.deepEqual(problems(alb({ "kubernetes.io/ingress.class": "alb-public" })), [
      "edge: grafana.ingress.annotations.kubernetes.io/ingress.class: overrides className on most controllers; set className instead",
    ]);
    const other = withLeaf(alb({}), ["grafana", "ingress", "tls"], { secretName: "grafana-tls" });
    assert.deepEqual(problems(withLeaf(other, ["grafana", "ingress", "className"], "alb-public")), [
      'edge: grafana.ingress.className: "alb-public": an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class\'s IngressClassParams may make it internet-facing',
    ]);
    // internal: false says it openly: a group is then the adopter's choice, the scheme still the stack's.
    assert.deepEqual(
      problems(alb({ "alb.ingress.kubernetes.io/group.name": "public" }, { internal: false })),
      [],
    );
    assert.equal(
      problems(alb({ "alb.ingress.kubernetes.io/scheme": "internal" }, { internal: false })).length,
      1,
    );
  });

  it("admits only private ranges in inbound-cidrs", () => {
    const cidrs = (value: string) => problems(alb({ "alb.ingress.kubernetes.io/inbound-cidrs": value }));
    for (const open of ["0.0.0.0/0", "8.8.8.0/24", "10.0.0.0/7", "::/0", "2001:db8::/32", "10.0.0.1", "x"])
      assert.deepEqual(cidrs(`10.0.0.0/8,${open}`), [
        `edge: grafana.ingress.annotations.alb.ingress.kubernetes.io/inbound-cidrs: ${JSON.stringify(open)}: an internal ingress admits private ranges only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)`,
      ]);
    assert.deepEqual(cidrs("10.1.0.0/16, 172.20.0.0/16,192.168.1.0/24,100.64.0.0/10,fd00::/8"), []);
    assert.ok(isPrivateCidr("172.31.255.0/24"));
    assert.ok(!isPrivateCidr("172.32.0.0/16"));
    assert.ok(!isPrivateCidr("100.128.0.0/16"));
  });

  it("fails grafana-access when the rendered release undoes an internal scheme", () => {
    const release = (annotations: Record<string, string>, ingressClassName = "alb") =>
      resourceOf(HELM_RELEASE, "kps", {
        chart: "kube-prometheus-stack",
        values: {
          grafana: {
            ingress: {
              enabled: true,
              ingressClassName,
              tls: [{ secretName: "t", hosts: ["g"] }],
              annotations: { "alb.ingress.kubernetes.io/scheme": "internal", ...annotations },
            },
            "grafana.ini": { "auth.generic_oauth": { enabled: true } },
            rbac: { create: false },
          },
        },
      });
    assertNoViolations(grafanaAccess, [release({ "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/8" })]);
    assertViolations(
      grafanaAccess,
      [
        release({
          "alb.ingress.kubernetes.io/group.name": "public",
          "alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/0",
        }),
      ],
      [
        "Helm release kps: Grafana's ingress is internal, but alb.ingress.kubernetes.io/group.name joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own.",
        /^Helm release kps: Grafana's ingress is internal, but alb\.ingress\.kubernetes\.io\/inbound-cidrs "0\.0\.0\.0\/0": an internal ingress admits private ranges only/,
      ],
    );
    assertViolations(
      grafanaAccess,
      [release({}, "alb-internet")],
      [/but ingressClassName "alb-internet": an internal ingress/],
    );
    assertViolations(
      grafanaAccess,
      [release({}, "nginx")],
      ['Helm release kps: Grafana\'s ingress has an ALB scheme annotation on class "nginx", not alb.'],
    );
  });
});

describe("security: the platform contract is input", () => {
  const good = () => ({
    version: PLATFORM_CONTRACT_VERSION,
    environment: "prod",
    namespace: "monitoring",
    clusterName: "prod-1",
    selectors: { rules: { labels: {}, namespaces: "all" } },
    proberUrl: "prometheus-blackbox-exporter.monitoring.svc:9115",
    runbookBaseUrl: "https://runbooks.example.com/x",
    alertmanagerConfigMatcherStrategy: "OnNamespace",
    platformNamespaces: ["monitoring", "kube-system"],
    teams: [{ name: "payments", namespacePrefix: "payments-" }],
    apps: [{ name: "shop", namespace: "shop", routed: true }],
  });
  const refusal = (at: (string | number)[], value: unknown): string[] => {
    try {
      parsePlatformContract("squad", "org/kube-monitoring/prod", withLeaf(good(), at, value));
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      assert.ok(!err.problems.join().includes(SENTINEL), err.problems.join());
      return err.problems;
    }
  };
  const where = "squad: platformStack org/kube-monitoring/prod: platformContract";

  it("accepts what the platform exports", () => {
    assert.deepEqual(refusal(["clusterName"], "prod-1"), []);
  });

  it("takes runbookBaseUrl as https without credentials, never echoed", () => {
    for (const url of [`http://runbooks.example.com/${SENTINEL}`, `javascript:${SENTINEL}`])
      assert.deepEqual(refusal(["runbookBaseUrl"], url), [`${where}.runbookBaseUrl: expected an https URL`]);
    for (const url of [
      `https://u:${SENTINEL}@runbooks.example.com/`,
      `https://r.example.com/?token=${SENTINEL}`,
    ])
      assert.deepEqual(refusal(["runbookBaseUrl"], url), [
        `${where}.runbookBaseUrl: must not carry credentials`,
      ]);
  });

  it("takes proberUrl as <service>.<namespace>.svc:<port> only", () => {
    for (const url of [
      "http://prometheus-blackbox-exporter.monitoring.svc:9115",
      "prometheus-blackbox-exporter.monitoring.svc:9115/probe",
      `u:${SENTINEL}@blackbox.monitoring.svc:9115`,
      "blackbox.evil.example.com:9115",
      "blackbox.monitoring.svc",
      `blackbox.monitoring.svc:9115?target=${SENTINEL}`,
    ])
      assert.deepEqual(refusal(["proberUrl"], url), [
        `${where}.proberUrl: expected <service>.<namespace>.svc:<port> (in-cluster, no scheme, path or credentials)`,
      ]);
    assert.deepEqual(refusal(["proberUrl"], "blackbox.monitoring.svc:99999"), [
      `${where}.proberUrl: the port is above 65535`,
    ]);
  });

  it("takes names and namespaces as DNS labels, prefixes as the schema does, versions as integers", () => {
    assert.match(
      refusal(["namespace"], `Mon_${SENTINEL}`)[0],
      /^squad: .*platformContract\.namespace: .*DNS label/,
    );
    assert.match(refusal(["apps", 0, "namespace"], "../etc")[0], /platformContract\.apps\[0\]\.namespace: /);
    assert.match(
      refusal(["platformNamespaces", 1], "kube system")[0],
      /platformContract\.platformNamespaces\[1\]: /,
    );
    assert.match(
      refusal(["teams", 0, "namespacePrefix"], "p")[0],
      /platformContract\.teams\[0\]\.namespacePrefix: .*namespace prefix/,
    );
    assert.deepEqual(refusal(["alertmanagerConfigMatcherStrategy"], "None").length, 1);
    assert.deepEqual(refusal(["environment"], "staging"), [
      `${where}.environment: Invalid option: expected one of "dev"|"prod"`,
    ]);
    assert.deepEqual(refusal(["selectors", "rules", "namespaces"], ["x"]).length, 1);
    assert.deepEqual(refusal(["apps", 0, "extra"], SENTINEL), [`${where}.apps[0]: unknown key "extra"`]);
    assert.throws(
      () => parsePlatformContract("squad", "org/kube-monitoring/prod", { ...good(), version: "3" }),
      /exports platformContract version "3"; this team stack understands version 3/,
    );
  });

  it("reads --platform-plan only of the stack the team names", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-platform-"));
    try {
      const file = path.join(dir, "plan.json");
      const prod = (await planOf("prod")).plan!;
      fs.writeFileSync(file, JSON.stringify(prod));
      // teams/squad builds on the everything stack: the prod plan is another stack's.
      const out = await planCli(["teams/squad", "--config-dir", teamFixturesDir, "--platform-plan", file]);
      assert.equal(out.status, 1);
      assert.equal(
        out.stderr,
        `--platform-plan ${file}: stack: a plan of stack "prod", but squad's platformStack is example-org/kube-monitoring/everything\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
