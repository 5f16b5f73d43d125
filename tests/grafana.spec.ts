import { strict as assert } from "node:assert";
import * as path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import {
  buildKubePrometheusStackValues,
  kubePrometheusStackArgsFrom,
  loadDashboards,
  parseStackConfig,
  provisionedDatasources,
  readDashboardFiles,
  stackDashboards,
} from "../components";
import { grafanaAccess } from "../policies/grafana";
import { configWith, problemsOf } from "./helpers/config";
import { HELM_RELEASE, Loose, planOf, planWithConfig, projectDir, resource } from "./helpers/plan";
import { assertNoViolations, assertViolations, changed, resourceOf } from "./helpers/policies";

const SENTINEL = "S3NT1NEL-grafana-credential";
const grafanaOf = (raw: Record<string, unknown>): Loose =>
  (buildKubePrometheusStackValues(kubePrometheusStackArgsFrom(configWith(raw))) as Loose).grafana;
const sso = {
  clientId: "grafana",
  clientSecret: { secretName: "grafana-sso", key: "client-secret" },
  authUrl: "https://sso.example.com/authorize",
  tokenUrl: "https://sso.example.com/token",
  apiUrl: "https://sso.example.com/userinfo",
  roles: { admin: ["platform"], editor: ["sre"] },
};
const ingress = {
  host: "grafana.example.com",
  className: "nginx",
  tls: { certManagerIssuer: "letsencrypt" },
};

describe("Grafana for people", () => {
  describe("in the prod plan", () => {
    let grafana: Loose;
    before(async () => {
      const { plan } = await planOf("prod");
      grafana = (resource(plan, HELM_RELEASE, "kps-release").inputs.values as Loose).grafana;
    });

    it("is reached through an internal ALB with the ACM certificate, over HTTPS only", () => {
      assert.deepEqual(grafana.ingress, {
        enabled: true,
        ingressClassName: "alb",
        annotations: {
          "alb.ingress.kubernetes.io/scheme": "internal",
          "alb.ingress.kubernetes.io/target-type": "ip",
          "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
          "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
          "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
          "alb.ingress.kubernetes.io/certificate-arn":
            "arn:aws:acm:eu-west-1:123456789012:certificate/0e4c5c1e-4c5f-4b11-9d1e-6a7c2f3b8d90",
        },
        hosts: ["grafana.prod.example.com"],
        path: "/",
        pathType: "Prefix",
        tls: [],
      });
    });

    it("signs people in through SSO with groups mapped to roles, no login form, no anonymous access", () => {
      const ini = grafana["grafana.ini"];
      assert.deepEqual(ini.server, { root_url: "https://grafana.prod.example.com/" });
      assert.deepEqual(ini["auth.anonymous"], { enabled: false });
      assert.deepEqual(ini.auth, { disable_login_form: true, oauth_auto_login: false });
      assert.equal(ini["auth.generic_oauth"].enabled, true);
      assert.equal(
        ini["auth.generic_oauth"].role_attribute_path,
        "contains(groups[*], 'platform-admins') && 'Admin' || contains(groups[*], 'sre') && 'Editor' || " +
          "contains(groups[*], 'backend') && 'Editor' || 'Viewer'",
      );
      assert.equal(ini["auth.generic_oauth"].allowed_domains, "example.com");
      // The client secret comes from the referenced Secret, never from the values.
      assert.deepEqual(grafana.envValueFrom, {
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: "grafana-sso", key: "client-secret" } },
      });
      assert.ok(!("client_secret" in ini["auth.generic_oauth"]));
    });

    it("keeps its state on a volume of the stack's class, replaced rather than rolled", () => {
      assert.deepEqual(grafana.persistence, {
        enabled: true,
        type: "pvc",
        size: "10Gi",
        storageClassName: "monitoring-gp3",
      });
      assert.deepEqual(grafana.deploymentStrategy, { type: "Recreate" });
    });

    it("queries Thanos by default, which deduplicates the replicas", () => {
      assert.deepEqual(
        grafana.additionalDataSources.map((d: Loose) => [d.uid, d.isDefault]),
        [["thanos", true]],
      );
      assert.equal(grafana.sidecar.datasources.isDefaultDatasource, false);
    });

    it("provisions the stack's dashboards and the dashboards folder, each into its Grafana folder", async () => {
      const { plan } = await planOf("prod");
      const maps = plan!.resources.filter(
        (r) =>
          r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs.metadata as Loose).labels?.grafana_dashboard,
      );
      assert.deepEqual(
        maps
          .map((m) => [
            (m.inputs.metadata as Loose).name,
            (m.inputs.metadata as Loose).annotations.grafana_folder,
          ])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          ["dashboard-kube-monitoring-capacity", "kube-monitoring"],
          ["dashboard-kube-monitoring-thanos", "kube-monitoring"],
          ["dashboard-platform-alertmanager", "Platform"],
        ],
      );
    });
  });

  describe("config", () => {
    it("keeps Prometheus the default datasource without Thanos, and persists Grafana on the cluster's default class", () => {
      const g = grafanaOf({});
      assert.equal(g.additionalDataSources, undefined);
      const { datasources, dashboards } = g.sidecar; // ConfigMaps only
      assert.deepEqual([datasources, dashboards.resource], [{ resource: "configmap" }, "configmap"]);
      assert.deepEqual(g.persistence, { enabled: true, type: "pvc", size: "10Gi" });
      assert.deepEqual(g["grafana.ini"], { "auth.anonymous": { enabled: false } });
    });

    it("takes TLS from cert-manager or an existing Secret", () => {
      const certManager = grafanaOf({ grafana: { ingress } }).ingress;
      assert.deepEqual(certManager.annotations, { "cert-manager.io/cluster-issuer": "letsencrypt" });
      assert.deepEqual(certManager.tls, [{ secretName: "grafana-tls", hosts: ["grafana.example.com"] }]);
      const existing = grafanaOf({
        grafana: { ingress: { ...ingress, tls: { secretName: "wildcard-tls" } } },
      });
      assert.deepEqual(existing.ingress.tls, [
        { secretName: "wildcard-tls", hosts: ["grafana.example.com"] },
      ]);
    });

    it("runs several replicas only on an external database, read from a Secret", () => {
      assert.deepEqual(problemsOf({ grafana: { replicas: 2 } }), [
        "prod: grafana.replicas: more than one replica needs grafana.database: SQLite on a volume has one writer",
      ]);
      const g = grafanaOf({
        grafana: { replicas: 2, database: { url: { secretName: "grafana-db", key: "url" } } },
      });
      assert.equal(g.replicas, 2);
      assert.equal(g.persistence, undefined);
      assert.deepEqual(g.envValueFrom, {
        GF_DATABASE_URL: { secretKeyRef: { name: "grafana-db", key: "url" } },
      });
    });

    it("refuses SSO without an ingress, an ACM certificate off the ALB, and a plaintext client secret", () => {
      assert.deepEqual(problemsOf({ grafana: { sso } }), [
        "prod: grafana.sso: needs grafana.ingress: the provider redirects people back to Grafana's public URL",
      ]);
      assert.deepEqual(
        problemsOf({
          grafana: {
            ingress: { ...ingress, tls: { acmCertificateArn: "arn:aws:acm:eu-west-1:1:certificate/x" } },
          },
        }),
        [
          "prod: grafana.ingress.tls.acmCertificateArn: an ACM certificate needs className alb (the AWS Load Balancer Controller terminates TLS)",
        ],
      );
      assert.deepEqual(problemsOf({ grafana: { ingress, sso: { ...sso, clientSecret: SENTINEL } } }), [
        "prod: grafana.sso.clientSecret: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'grafana.sso.clientSecret' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
      ]);
    });

    it("puts a client secret given as a Pulumi secret in a Secret of its own, never in the plan", async () => {
      const result = await planWithConfig(
        "grafana-sso",
        {
          "kube-monitoring:environment": "prod",
          "kube-monitoring:clusterName": "prod-1",
          "kube-monitoring:cluster": { provider: "eks" },
          "kube-monitoring:grafana": { ingress, sso: { ...sso, clientSecret: { secure: "v1:AAAA" } } },
        },
        undefined,
        { profile: "prod", "alert-delivery": { enforcementLevel: "advisory" } },
      );
      // The stack file marks it secure, as `pulumi config set --secret --path` would.
      assert.ok(result.plan, result.report);
      const values = resource(result.plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
      assert.deepEqual(values.grafana.envValueFrom, {
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: {
          secretKeyRef: { name: "grafana-auth", key: "sso-client-secret" },
        },
      });
      const secret = resource(result.plan, "kubernetes:core/v1:Secret", "kps-grafana-auth");
      assert.equal((secret.inputs as Loose).metadata.name, "grafana-auth");
      assert.ok(resource(result.plan, HELM_RELEASE, "kps-release").dependsOn.includes(secret.urn));
      assert.ok(!JSON.stringify(result.plan).includes("v1:AAAA"));
    });
  });

  describe("dashboards as code", () => {
    const datasources = provisionedDatasources(true);
    const file = (p: string, model: unknown) => ({ path: p, text: JSON.stringify(model) });
    const ok = {
      uid: "team-a",
      title: "Team A",
      panels: [{ datasource: { type: "prometheus", uid: "thanos" } }],
    };

    it("loads the committed folder and places each dashboard in its folder", () => {
      const files = readDashboardFiles(path.join(projectDir, "dashboards"), projectDir);
      const { dashboards, problems } = loadDashboards(files, provisionedDatasources(false));
      assert.deepEqual(problems, []);
      assert.deepEqual(
        dashboards.map((d) => [d.source, d.folder, d.uid]),
        [["dashboards/Platform/alertmanager.json", "Platform", "platform-alertmanager"]],
      );
    });

    it("names each broken file and what is wrong with it", () => {
      const reserved = stackDashboards(
        configWith({ thanos: { enabled: true, region: "eu-west-1", auth: { mode: "accessKey" } } }),
      );
      const { dashboards, problems } = loadDashboards(
        [
          file("dashboards/Team/ok.json", ok),
          { path: "dashboards/Team/broken.json", text: "{ not json" },
          file("dashboards/Team/no-uid.json", { title: "x" }),
          file("dashboards/Team/twice.json", { ...ok, title: "again" }),
          file("dashboards/Team/ours.json", { uid: "kube-monitoring-capacity", title: "mine" }),
          file("dashboards/Team/elsewhere.json", {
            uid: "b",
            title: "B",
            panels: [{ datasource: { uid: "loki" } }],
          }),
          file("dashboards/Team/by-name.json", { uid: "c", title: "C", panels: [{ datasource: "Elastic" }] }),
          file("dashboards/loose.json", ok),
        ],
        datasources,
        reserved,
      );
      assert.deepEqual(
        dashboards.map((d) => d.uid),
        ["team-a"],
      );
      const provisioned =
        "provisioned: Prometheus (uid prometheus), Alertmanager (uid alertmanager), Thanos (uid thanos)";
      assert.deepEqual(problems, [
        "dashboards/loose.json: must be dashboards/<Grafana folder>/<name>.json",
        "dashboards/Team/broken.json: is not JSON: " + problems[1].split("is not JSON: ")[1],
        `dashboards/Team/by-name.json: datasource "Elastic" is not provisioned; ${provisioned}`,
        `dashboards/Team/elsewhere.json: datasource uid "loki" is not provisioned; ${provisioned}`,
        "dashboards/Team/no-uid.json: needs a uid: 1 to 40 letters, digits, - or _ (Grafana's limit), fixed so links survive",
        'dashboards/Team/ours.json: uid "kube-monitoring-capacity" is also the uid of the stack\'s Capacity dashboard',
        'dashboards/Team/twice.json: uid "team-a" is also the uid of dashboards/Team/ok.json',
      ]);
      assert.match(problems[1], /^dashboards\/Team\/broken\.json: is not JSON: .+/);
    });

    it("refuses the plan naming the stack and the file", () => {
      const raw = { environment: "dev", clusterName: "dev-1" };
      assert.throws(
        () =>
          parseStackConfig("dev", raw, {
            dashboardFiles: [
              file("dashboards/Team/a.json", {
                uid: "a",
                title: "A",
                panels: [{ datasource: { uid: "thanos" } }],
              }),
            ],
          }),
        (err: Error & { problems?: string[] }) => {
          assert.deepEqual(err.problems, [
            'dev: dashboards/Team/a.json: datasource uid "thanos" is not provisioned; provisioned: Prometheus (uid prometheus), Alertmanager (uid alertmanager)',
          ]);
          return true;
        },
      );
    });

    it("builds the stack's dashboards from PromQL that parses and names only series the stack has", async () => {
      const { plan } = await planOf("prod");
      const dev = (await planOf("dev")).plan!;
      const recorded = new Set(
        [...plan!.resources, ...dev.resources]
          .filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
          .flatMap((r) => ((r.inputs.spec as Loose).groups as Loose[]).flatMap((g) => g.rules as Loose[]))
          .flatMap((rule) => (rule.record ? [rule.record as string] : [])),
      );
      // What the stack scrapes: Prometheus' and Thanos' own metrics, Alertmanager's, and the HTTP
      // histograms Thanos Query serves.
      const scraped =
        /^(prometheus_tsdb_|prometheus_target_|thanos_|alertmanager_|http_request_duration_seconds_bucket$|ALERTS$)/;
      const cfg = configWith({
        thanos: { enabled: true, region: "eu-west-1", auth: { mode: "accessKey" } },
        apps: [
          {
            name: "web",
            namespace: "web",
            serviceMonitor: { endpoints: [{ port: "metrics" }] },
            slo: { objective: 99.9 },
          },
        ],
      });
      const files = readDashboardFiles(path.join(projectDir, "dashboards"), projectDir);
      const models = [
        ...stackDashboards(cfg),
        ...loadDashboards(files, provisionedDatasources(true)).dashboards,
      ];
      assert.deepEqual(
        models.map((d) => d.uid),
        ["kube-monitoring-capacity", "kube-monitoring-thanos", "slo-web-web", "platform-alertmanager"],
      );
      for (const d of models) {
        const exprs = JSON.stringify(d.model)
          .match(/"expr":"((?:[^"\\]|\\.)*)"/g)!
          .map((m) => JSON.parse(m.slice(7)));
        assert.ok(exprs.length >= 3, d.uid);
        for (const expr of exprs) {
          const tree = parser.parse(expr);
          let error = false;
          const names: string[] = [];
          tree.iterate({
            enter: (n) => {
              if (n.type.isError) error = true;
              if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector")
                names.push(expr.slice(n.from, n.to));
            },
          });
          assert.ok(!error, `${d.uid}: ${expr} does not parse`);
          for (const name of names) {
            assert.ok(
              recorded.has(name) || scraped.test(name),
              `${d.uid}: ${name} is neither recorded nor scraped`,
            );
          }
        }
      }
    });
  });

  describe("policy grafana-access", () => {
    const release = (grafana: Loose) =>
      resourceOf(HELM_RELEASE, "kps-release", { chart: "kube-prometheus-stack", values: { grafana } });
    const good: Loose = {
      enabled: true,
      ingress: {
        enabled: true,
        ingressClassName: "nginx",
        tls: [{ secretName: "grafana-tls", hosts: ["g"] }],
      },
      "grafana.ini": { "auth.anonymous": { enabled: false }, "auth.generic_oauth": { enabled: true } },
      rbac: { create: false },
    };

    it("passes TLS, SSO and no anonymous access, and a disabled Grafana", () => {
      assertNoViolations(grafanaAccess, [release(good)]);
      assertNoViolations(grafanaAccess, [release({ enabled: false })]);
    });

    it("names each gap", () => {
      const open = changed(good, (g) => {
        g.ingress.tls = [];
        g["grafana.ini"] = { "auth.anonymous": { enabled: true } };
        delete g.rbac;
      });
      assertViolations(
        grafanaAccess,
        [release(open)],
        [
          "Helm release kps-release: Grafana lets anyone in anonymously (grafana.ini auth.anonymous.enabled); turn it off.",
          "Helm release kps-release: Grafana is exposed by an ingress without TLS; set grafana.ingress.tls (a cert-manager issuer, a Secret, or an ACM certificate on alb).",
          "Helm release kps-release: Grafana's chart RBAC (rbac.create) lets its sidecars read Secrets; set grafana.rbac.create false and grant ConfigMaps only, as the stack does (components/kubePrometheusStack/grafanaRbac.ts).",
          "Helm release kps-release: Grafana has no single sign-on; set grafana.sso, or make this policy advisory in the stack's policy config to record why not.",
        ],
      );
    });

    it("accepts TLS terminated by an ALB with an ACM certificate, not one that also listens on HTTP", () => {
      const alb = changed(good, (g) => {
        g.ingress = {
          enabled: true,
          ingressClassName: "alb",
          tls: [],
          annotations: {
            "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/x",
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
          },
        };
      });
      assertNoViolations(grafanaAccess, [release(alb)]);
      const both = changed(
        alb,
        (g) =>
          (g.ingress.annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP":80},{"HTTPS":443}]'),
      );
      assertViolations(grafanaAccess, [release(both)], [/exposed by an ingress without TLS/]);
    });
  });
});
