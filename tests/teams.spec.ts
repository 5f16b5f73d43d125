import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ConfigError,
  PLATFORM_CONTRACT_VERSION,
  PlatformContract,
  parsePlatformContract,
  parseTeamConfig,
  teamPlacementProblems,
} from "../components";
import { stackFileLocator } from "../components/configLocation";
import { Plan, planStack, teamPlanContext } from "../plan/plan";
import { teamStackScope } from "../policies/teams";
import { planCli } from "./helpers/cli";
import { Loose, planOf, projectDir, teamFixturesDir } from "./helpers/plan";
import { assertNoViolations, assertViolations, resourceOf } from "./helpers/policies";

const teamsDir = path.join(projectDir, "teams");
const REFERENCE = "example-org/kube-monitoring/prod";

/** Plans the payments team fixture against a platform plan, as the CLI does. */
async function planPayments(platform: Pick<Plan, "outputs" | "resources">) {
  return planStack({
    projectDir: teamsDir,
    configDir: teamFixturesDir,
    stack: "payments",
    policyConfigDir: teamFixturesDir,
    ...teamPlanContext(REFERENCE, platform),
  });
}

describe("team stacks", () => {
  for (const platform of ["dev", "prod"]) {
    it(`plan the payments team against the ${platform} platform plan: only the team's apps, in their namespaces`, async () => {
      const { exitCode, plan, report } = await planPayments((await planOf(platform)).plan!);
      assert.equal(exitCode, 0, report);
      assert.deepEqual(plan!.resources.map((r) => `${r.type}::${r.name}`).sort(), [
        "kube-monitoring:apps:AppMonitoring::app-checkout",
        "kube-monitoring:apps:AppMonitoring::app-ledger",
        "kubernetes:core/v1:ConfigMap::app-checkout-dashboard",
        "kubernetes:core/v1:ConfigMap::app-ledger-dashboard",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule::app-checkout-rules",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule::app-ledger-rules",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::app-checkout-servicemonitor",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::app-ledger-servicemonitor",
        "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig::app-checkout-alertmanagerconfig",
        "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig::app-ledger-alertmanagerconfig",
        "pulumi:pulumi:Stack::kube-monitoring-teams-payments",
      ]);
      const namespaces = plan!.resources
        .filter((r) => r.type.startsWith("kubernetes:"))
        .map((r) => `${r.name} ${(r.inputs.metadata as Loose).namespace}`);
      assert.ok(
        namespaces.every((n) => / payments-(checkout|ledger)$/.test(n)),
        namespaces.join("; "),
      );
      // Runbook links from the platform's contract.
      const rules = plan!.resources.find((r) => r.name === "app-checkout-rules")!;
      const alerts = ((rules.inputs.spec as Loose).groups as Loose[])
        .flatMap((g) => g.rules)
        .filter((r: Loose) => r.alert);
      assert.equal(
        alerts.find((a: Loose) => a.alert === "HighErrorRate").annotations.runbook_url,
        "https://runbooks.example.com/kube-monitoring/HighErrorRate",
      );
      assert.deepEqual(plan!.outputs, {
        team: "payments",
        apps: ["checkout", "ledger"],
        platformContractVersion: PLATFORM_CONTRACT_VERSION,
      });
      // The team's routing is checked inside the platform's Alertmanager configuration.
      assert.deepEqual(
        plan!.checks.map((c) => `${c.tool} ${c.status}`),
        ["promtool passed", "amtool passed"],
      );
    });
  }

  it("refuse a platform without the contract, or with a version they do not understand", async () => {
    const prod = (await planOf("prod")).plan!;
    const outputs = prod.outputs as Loose;
    const missing = await planPayments({ ...prod, outputs: { ...outputs, platformContract: undefined } });
    assert.equal(missing.exitCode, 1);
    assert.equal(
      missing.report,
      `payments: platformStack ${REFERENCE}: exports no platformContract; deploy a platform stack of a kube-monitoring version with team stacks first`,
    );
    const newer = await planPayments({
      ...prod,
      outputs: { ...outputs, platformContract: { ...outputs.platformContract, version: 4 } },
    });
    assert.equal(newer.exitCode, 1);
    assert.equal(
      newer.report,
      `payments: platformStack ${REFERENCE}: exports platformContract version 4; this team stack understands version 3: update this team stack's kube-monitoring`,
    );
    // Version 2 had no environment: a team stack of this version needs the platform redeployed first.
    assert.throws(
      () => parsePlatformContract("t", REFERENCE, { version: 2 }),
      /exports platformContract version 2; this team stack understands version 3: update the platform stack first/,
    );
    assert.equal((outputs.platformContract as Loose).environment, "prod");
  });

  it("judge apps exactly as the platform stack does, and need a stack reference", () => {
    assert.throws(
      () => parseTeamConfig("t", { environment: "prod", platformStack: "prod", apps: [{ name: "a" }] }),
      (err: Error & { problems: string[] }) => {
        assert.deepEqual(err.problems, [
          't: platformStack: "prod" is not a stack reference; expected org/kube-monitoring/<stack>',
        ]);
        return true;
      },
    );
    assert.throws(
      () =>
        parseTeamConfig("t", {
          environment: "prod",
          platformStack: REFERENCE,
          apps: [
            {
              name: "a",
              namespace: "a",
              serviceMonitor: { endpoints: [{ port: "metrics", interval: "1m" }] },
              bogus: 1,
            },
          ],
        }),
      (err: Error & { problems: string[] }) => {
        assert.match(err.problems[0], /^t: apps\[a\]\.bogus: unknown key/);
        return true;
      },
    );
  });

  it("plan from the command line, planning the platform first when its plan is missing or older than its stack file", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-teams-"));
    try {
      const run = await planCli(["teams/payments", "--out", out, "--config-dir", teamFixturesDir]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(`^no plan of the platform stack prod in ${out}: planning it first`),
      );
      assert.ok(fs.existsSync(path.join(out, "teams", "payments", "plan.json")));
      assert.ok(fs.existsSync(path.join(out, "prod", "plan.json")));
      // A platform plan older than its stack file (a team registered since) is planned again.
      fs.utimesSync(path.join(out, "prod", "plan.json"), new Date(0), new Date(0));
      const again = await planCli(["teams/payments", "--out", out, "--config-dir", teamFixturesDir]);
      assert.equal(again.status, 0, again.stderr);
      assert.ok(
        again.stdout.startsWith(
          `the plan of the platform stack prod in ${out} is older than Pulumi.prod.yaml: planning it again\n`,
        ),
        again.stdout.split("\n")[0],
      );
      assert.ok(fs.statSync(path.join(out, "prod", "plan.json")).mtimeMs > 0);
      const fresh = await planCli(["teams/payments", "--out", out, "--config-dir", teamFixturesDir]);
      assert.ok(!fresh.stdout.includes("planning it"), fresh.stdout.split("\n")[0]);
      fs.writeFileSync(
        path.join(out, "other.json"),
        JSON.stringify({ stack: "prod", project: "other", resources: [] }),
      );
      const other = await planCli([
        "teams/payments",
        "--out",
        out,
        "--platform-plan",
        path.join(out, "other.json"),
      ]);
      assert.equal(other.status, 1);
      assert.equal(
        other.stderr.trim(),
        `--platform-plan ${path.join(out, "other.json")}: project: a plan of project "other", not the platform (kube-monitoring)`,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("team stacks from the docs alone", () => {
  const app = {
    name: "checkout",
    namespace: "payments-checkout",
    serviceMonitor: { endpoints: [{ port: "metrics" }] },
    routing: {
      defaultReceiver: "chat",
      receivers: [{ name: "chat", webhook: { url: "https://hooks.example.com/x" } }],
    },
  };
  const stackText = [
    "config:",
    "  kube-monitoring:environment: dev",
    `  kube-monitoring:platformStack: ${REFERENCE}`,
    "  kube-monitoring:apps:",
    "    - name: checkout",
    "      namespace: payments-checkout",
    "",
  ].join("\n");
  /** parseTeamConfig's result, or its problems, with the stack file `text` written for the locator. */
  function parsed(text: string, raw: Record<string, unknown>, platformEnvironment?: "dev" | "prod") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-team-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.payments.yaml"), text);
      const locate = stackFileLocator(dir, "payments");
      return parseTeamConfig("payments", raw, { locate, platformEnvironment });
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("take the platform's environment when the team stack names none", () => {
    const withoutEnvironment = stackText.replace("  kube-monitoring:environment: dev\n", "");
    const cfg = parsed(withoutEnvironment, { platformStack: REFERENCE, apps: [app] }, "prod");
    assert.ok(!Array.isArray(cfg), String(cfg));
    assert.equal(cfg.environment, "prod");
    assert.deepEqual(
      cfg.apps.map((a) => [a.name, a.team]),
      [["checkout", "payments"]],
    );
    // Without the platform's, the key and its file: what to write.
    assert.deepEqual(parsed(withoutEnvironment, { platformStack: REFERENCE, apps: [app] }), [
      `Pulumi.payments.yaml: environment: is required (expected dev or prod): the platform stack ${REFERENCE} does not say its own`,
    ]);
  });

  it("keep an environment the team stack names, when it is as strict as the platform's", () => {
    const prodText = stackText.replace("environment: dev", "environment: prod");
    const own = parsed(prodText, { environment: "prod", platformStack: REFERENCE, apps: [app] }, "dev");
    assert.ok(!Array.isArray(own), String(own));
    assert.equal(own.environment, "prod");
  });

  it("refuse dev on a prod platform, at the key's line: the profile would loosen the team's gate", () => {
    assert.deepEqual(
      parsed(stackText, { environment: "dev", platformStack: REFERENCE, apps: [app] }, "prod"),
      [
        `Pulumi.payments.yaml:2: environment: is dev, but the platform stack ${REFERENCE} is prod: a team stack is judged at least as strictly as its platform (remove the key, or set prod)`,
      ],
    );
  });

  it("refuse an app the platform stack has too, naming both stacks and the app at its line", async () => {
    const contract = (await planOf("prod")).plan!.outputs.platformContract as PlatformContract;
    const withApp = { ...contract, apps: [{ name: "checkout", namespace: "shop", routed: true }] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-team-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.payments.yaml"), stackText);
      const locate = stackFileLocator(dir, "payments");
      const apps = [{ ...app, team: "payments", routing: {} }];
      assert.deepEqual(
        teamPlacementProblems("payments", "payments", withApp, apps, { platformStack: REFERENCE, locate }),
        [
          `Pulumi.payments.yaml:5: apps[checkout]: app checkout is in both this team stack (payments) and the platform stack ${REFERENCE} ` +
            "(in namespace shop); an app belongs to one stack: remove it from one of them, or rename one",
        ],
      );
      assert.deepEqual(
        teamPlacementProblems("payments", "payments", contract, apps, { platformStack: REFERENCE, locate }),
        [],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("judge the policy config by the platform's environment when the team stack names none", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-team-"));
    try {
      fs.copyFileSync(path.join(teamFixturesDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const text = fs.readFileSync(path.join(teamFixturesDir, "Pulumi.payments.yaml"), "utf8");
      fs.writeFileSync(
        path.join(dir, "Pulumi.payments.yaml"),
        text.replace(/^ {2}kube-monitoring:environment: prod\n/m, ""),
      );
      fs.writeFileSync(path.join(dir, "config.payments.json"), '{"profile":"dev"}');
      const result = await planStack({
        projectDir: teamsDir,
        configDir: dir,
        stack: "payments",
        policyConfigDir: dir,
        ...teamPlanContext(REFERENCE, (await planOf("prod")).plan!),
      });
      assert.equal(result.exitCode, 1);
      assert.equal(
        result.report.replaceAll(dir + path.sep, ""),
        'config.payments.json: profile: "dev" is not allowed for a prod environment; use "prod"',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("policy team-stack-scope", () => {
  const urn = (type: string, name: string, project = "kube-monitoring-teams") =>
    `urn:pulumi:payments::${project}::${type}::${name}`;
  const k8s = (
    kind: string,
    name: string,
    namespace: string | undefined,
    app = "checkout",
    project?: string,
  ) => {
    const type = `kubernetes:${kind === "ClusterRole" ? "rbac.authorization.k8s.io/v1" : "monitoring.coreos.com/v1"}:${kind}`;
    return resourceOf(
      type,
      name,
      {
        kind,
        metadata: { name, ...(namespace ? { namespace } : {}), labels: { "app.kubernetes.io/part-of": app } },
      },
      { urn: urn(type, name, project) },
    );
  };

  it("passes a team's apps each in its own namespace, and ignores the platform project", () => {
    assertNoViolations(teamStackScope, [
      k8s("ServiceMonitor", "checkout", "payments-checkout"),
      k8s("PrometheusRule", "checkout", "payments-checkout"),
      k8s("ServiceMonitor", "ledger", "payments-ledger", "ledger"),
      k8s("ClusterRole", "platform-role", undefined, "x", "kube-monitoring"),
    ]);
  });

  it("passes every kind an app is made of, and lists exactly those when it refuses another", () => {
    const kinds = [
      ["Namespace", "core/v1"],
      ["Deployment", "apps/v1"],
      ["Service", "core/v1"],
      ["Ingress", "networking.k8s.io/v1"],
      ["ConfigMap", "core/v1"],
      ["Secret", "core/v1"],
      ["ServiceMonitor", "monitoring.coreos.com/v1"],
      ["PodMonitor", "monitoring.coreos.com/v1"],
      ["Probe", "monitoring.coreos.com/v1"],
      ["PrometheusRule", "monitoring.coreos.com/v1"],
      ["AlertmanagerConfig", "monitoring.coreos.com/v1alpha1"],
    ];
    const object = ([kind, group]: string[]) => {
      const type = `kubernetes:${group}:${kind}`;
      const metadata =
        kind === "Namespace"
          ? { name: "payments-checkout", labels: { "app.kubernetes.io/part-of": "checkout" } }
          : {
              name: "checkout",
              namespace: "payments-checkout",
              labels: { "app.kubernetes.io/part-of": "checkout" },
            };
      return resourceOf(type, `checkout-${kind}`, { kind, metadata }, { urn: urn(type, `checkout-${kind}`) });
    };
    assertNoViolations(teamStackScope, kinds.map(object));
    assertViolations(
      teamStackScope,
      [object(["Role", "rbac.authorization.k8s.io/v1"])],
      [
        "Role checkout-Role: a team stack creates only its apps' objects (" +
          kinds.map(([kind]) => kind).join(", ") +
          ").",
      ],
    );
  });

  it("refuses an app object outside the app's namespace, cluster-wide objects and charts", () => {
    assertViolations(
      teamStackScope,
      [
        k8s("ServiceMonitor", "checkout", "payments-checkout"),
        k8s("PrometheusRule", "checkout-in-monitoring", "monitoring"),
        k8s("ClusterRole", "reader", undefined),
        resourceOf(
          "kubernetes:helm.sh/v3:Release",
          "loki",
          { chart: "loki" },
          { urn: urn("kubernetes:helm.sh/v3:Release", "loki") },
        ),
      ],
      [
        "PrometheusRule checkout-in-monitoring: namespace monitoring is owned by the platform; a team stack uses its own namespaces.",
        "PrometheusRule checkout-in-monitoring: app checkout lives in payments-checkout (ServiceMonitor checkout) but this is in monitoring; a team stack keeps each app's objects in the app's namespace.",
        /^ClusterRole reader: a team stack creates only its apps' objects/,
        "Helm release loki: a team stack installs no charts; the platform stack does.",
      ],
    );
  });

  it("refuses the platform's namespaces, honorLabels and alerts labelled into another namespace", () => {
    const typed = (kind: string) => `kubernetes:monitoring.coreos.com/v1:${kind}`;
    const object = (kind: string, name: string, namespace: string, spec: Record<string, unknown>) =>
      resourceOf(
        typed(kind),
        name,
        { kind, metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": name } }, spec },
        { urn: urn(typed(kind), name) },
      );
    assertViolations(
      teamStackScope,
      [
        object("PrometheusRule", "sys", "kube-system", { groups: [] }),
        object("ServiceMonitor", "honest", "payments-a", { endpoints: [{ port: "m" }] }),
        object("ServiceMonitor", "forger", "payments-b", { endpoints: [{ port: "m", honorLabels: true }] }),
        object("PrometheusRule", "labeller", "payments-c", {
          groups: [
            {
              name: "g",
              rules: [
                { alert: "Own", labels: { namespace: "payments-c" } },
                { alert: "Other", labels: { namespace: "monitoring" } },
              ],
            },
          ],
        }),
      ],
      [
        "PrometheusRule sys: namespace kube-system is owned by the platform; a team stack uses its own namespaces.",
        "ServiceMonitor forger: honorLabels lets the target's series speak for another namespace or job; a team's monitors keep the target's labels.",
        "PrometheusRule labeller: alert Other is labelled namespace=monitoring, outside its own namespace payments-c.",
      ],
    );
  });
});
