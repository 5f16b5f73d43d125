import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  NOTIFICATION_LINKS,
  webIngressSpecs,
  buildKubePrometheusStackValues,
  kubePrometheusStackArgsFrom,
  monitoringNetworkPolicies,
} from "../components";
import { parseStackConfig } from "../components/config";
import { stackFileLocator } from "../components/configLocation";
import { CONFIGMAP_READ_RULES, grafanaRbacSpec } from "../components/kubePrometheusStack/grafanaRbac";
import { webUiAccess } from "../policies/webUi";
import { configWith, problemsOf } from "./helpers/config";
import { HELM_RELEASE, Loose, planOf, resource, writeConfigDir } from "./helpers/plan";
import { assertNoViolations, assertViolations, changed, resourceOf } from "./helpers/policies";
import { requireTool } from "./helpers/tools";
import type { Plan } from "../plan/planTypes";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ACM = "arn:aws:acm:eu-west-1:123456789012:certificate/0e4c5c1e-4c5f-4b11-9d1e-6a7c2f3b8d90";
const webAccess = {
  tls: { acmCertificateArn: ACM },
  oidc: { issuer: "https://sso.example.com", secretName: "web-oidc" },
  loadBalancerCidrs: ["10.0.0.0/20"],
};
const sso = {
  clientId: "grafana",
  clientSecret: { secretName: "grafana-sso", key: "client-secret" },
  authUrl: "https://sso.example.com/authorize",
  tokenUrl: "https://sso.example.com/token",
  apiUrl: "https://sso.example.com/userinfo",
};
const grafanaIngress = { host: "grafana.example.com", className: "alb", tls: { acmCertificateArn: ACM } };

const valuesOf = (plan: Plan | undefined): Loose =>
  resource(plan, HELM_RELEASE, "kps-release").inputs.values as Loose;
const UI_ORDER = ["prometheus", "alertmanager", "thanos-query"];
/** The plan's ingresses, in UI order (the plan records them in no particular one). */
const ingressesOf = (plan: Plan | undefined): Loose[] =>
  plan!.resources
    .filter((r) => r.type === INGRESS)
    .map((r) => r.inputs as Loose)
    .sort(
      (a, b) =>
        UI_ORDER.indexOf(a.metadata.labels["kube-monitoring.io/web-ui"]) -
        UI_ORDER.indexOf(b.metadata.labels["kube-monitoring.io/web-ui"]),
    );
const policyOf = (plan: Plan | undefined, name: string): Loose =>
  plan!.resources.find((r) => r.type === NETWORK_POLICY && (r.inputs.metadata as Loose).name === name)!
    .inputs as Loose;
/** The rules of a NetworkPolicy that admit IP blocks: their CIDRs and ports. */
const ipBlockRules = (policy: Loose) =>
  (policy.spec.ingress as Loose[])
    .filter((rule) => rule.from.some((peer: Loose) => peer.ipBlock))
    .map((rule) => ({ cidrs: rule.from.map((peer: Loose) => peer.ipBlock?.cidr), ports: rule.ports }));

describe("web access: external URLs, UI ingresses behind the ALB's sign-in", () => {
  describe("in the prod plan", () => {
    let plan: Plan | undefined;
    before(async () => {
      ({ plan } = await planOf("prod"));
    });

    it("gives Prometheus, Alertmanager and Grafana https URLs on their ingress hosts", () => {
      const values = valuesOf(plan);
      assert.equal(values.prometheus.prometheusSpec.externalUrl, "https://prometheus.prod.example.com/");
      assert.equal(
        values.alertmanager.alertmanagerSpec.externalUrl,
        "https://alertmanager.prod.example.com/",
      );
      assert.deepEqual(values.grafana["grafana.ini"].server, {
        root_url: "https://grafana.prod.example.com/",
      });
      // The chart's own ingresses stay off: its externalUrl default from them would be http://.
      assert.equal(values.prometheus.ingress, undefined);
      assert.equal(values.alertmanager.ingress, undefined);
    });

    it("puts each UI behind an internal ALB that signs people in with Grafana's provider, HTTPS only", () => {
      const ingresses = ingressesOf(plan);
      assert.deepEqual(
        ingresses.map((i) => [
          i.metadata.name,
          i.metadata.labels["kube-monitoring.io/web-ui"],
          i.spec.ingressClassName,
          i.spec.rules[0].host,
          i.spec.rules[0].http.paths[0].backend.service,
        ]),
        [
          [
            "prometheus-web",
            "prometheus",
            "alb",
            "prometheus.prod.example.com",
            { name: "kps-prometheus", port: { number: 9090 } },
          ],
          [
            "alertmanager-web",
            "alertmanager",
            "alb",
            "alertmanager.prod.example.com",
            { name: "kps-alertmanager", port: { number: 9093 } },
          ],
          // Thanos Query through the query-frontend, as Grafana reads it.
          [
            "thanos-query-web",
            "thanos-query",
            "alb",
            "thanos.prod.example.com",
            { name: "thanos-query-frontend", port: { number: 10902 } },
          ],
        ],
      );
      assert.deepEqual(ingresses[0].metadata.annotations, {
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/certificate-arn": ACM,
        "alb.ingress.kubernetes.io/healthcheck-path": "/-/healthy",
        "alb.ingress.kubernetes.io/auth-type": "oidc",
        "alb.ingress.kubernetes.io/auth-idp-oidc": JSON.stringify({
          issuer: "https://example.okta.com",
          authorizationEndpoint: "https://example.okta.com/oauth2/v1/authorize",
          tokenEndpoint: "https://example.okta.com/oauth2/v1/token",
          userInfoEndpoint: "https://example.okta.com/oauth2/v1/userinfo",
          secretName: "monitoring-web-oidc",
        }),
        "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
        "alb.ingress.kubernetes.io/auth-scope": "openid email profile",
        "alb.ingress.kubernetes.io/auth-session-timeout": "43200",
      });
      // The three differ only in their health check's target, all /-/healthy.
      for (const i of ingresses.slice(1))
        assert.deepEqual(i.metadata.annotations, ingresses[0].metadata.annotations);
      assertNoViolations(
        webUiAccess,
        plan!.resources.filter((r) => r.type === INGRESS),
      );
    });

    it("admits exactly the ALB subnets, on exactly each UI pod's web port", () => {
      const cidrs = ["10.0.96.0/20", "10.0.112.0/20", "10.0.128.0/20"];
      assert.deepEqual(ipBlockRules(policyOf(plan, "prometheus")), [
        { cidrs, ports: [{ port: 9090, protocol: "TCP" }] },
      ]);
      assert.deepEqual(ipBlockRules(policyOf(plan, "alertmanager")), [
        { cidrs, ports: [{ port: 9093, protocol: "TCP" }] },
      ]);
      assert.deepEqual(ipBlockRules(policyOf(plan, "thanos-query-frontend")), [
        { cidrs, ports: [{ port: 10902, protocol: "TCP" }] },
      ]);
      // Query, the store gateway and the compactor are not reached from the ALB.
      for (const name of ["thanos-query", "thanos-store", "thanos-compactor"])
        assert.deepEqual(ipBlockRules(policyOf(plan, name)), [], name);
    });

    it("lets Grafana's sidecars read ConfigMaps only, never Secrets: the chart's RBAC off, the stack's grant", () => {
      const grafana = valuesOf(plan).grafana;
      assert.deepEqual(grafana.rbac, { create: false });
      assert.deepEqual(grafana.serviceAccount, { create: true, name: "kps-grafana" });
      assert.deepEqual(
        [grafana.sidecar.datasources.resource, grafana.sidecar.dashboards.resource],
        ["configmap", "configmap"],
      );
      // prod registers a team, whose dashboards live in its namespaces: ConfigMaps cluster-wide.
      assert.equal(grafana.sidecar.dashboards.searchNamespace, "ALL");
      const role = resource(
        plan,
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kps-grafana-sidecar",
      );
      assert.deepEqual(role.inputs.rules, [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
      ]);
      const binding = resource(
        plan,
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kps-grafana-sidecar",
      );
      assert.deepEqual(binding.inputs.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "monitoring-grafana-sidecar-configmaps",
      });
      assert.deepEqual(binding.inputs.subjects, [
        { kind: "ServiceAccount", name: "kps-grafana", namespace: "monitoring" },
      ]);
      // The release waits for the grant, so the sidecars start with it.
      const release = resource(plan, HELM_RELEASE, "kps-release");
      assert.ok(release.dependsOn.includes(binding.urn));
      assert.equal(
        plan!.resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role").length,
        0,
      );
    });
  });

  describe("in the everything plan", () => {
    let plan: Plan | undefined;
    before(async () => {
      ({ plan } = await planOf("everything"));
    });

    it("keeps URLs given explicitly, and builds ingresses only for the UIs that ask", () => {
      const values = valuesOf(plan);
      assert.equal(values.prometheus.prometheusSpec.externalUrl, "https://metrics.everything.example.com");
      assert.equal(
        values.alertmanager.alertmanagerSpec.externalUrl,
        "https://alertmanager.everything.example.com/",
      );
      assert.deepEqual(values.grafana["grafana.ini"].server, {
        root_url: "https://dashboards.everything.example.com/",
      });
      const ingresses = ingressesOf(plan).filter((i) => i.metadata.labels["kube-monitoring.io/web-ui"]);
      assert.deepEqual(
        ingresses.map((i) => i.spec.rules[0].host),
        ["alertmanager.everything.example.com", "thanos.everything.example.com"],
      );
      const annotations = ingresses[0].metadata.annotations;
      assert.equal(
        annotations["alb.ingress.kubernetes.io/auth-idp-oidc"],
        JSON.stringify({
          issuer: "https://login.everything.example.com",
          authorizationEndpoint: "https://login.everything.example.com/authorize",
          tokenEndpoint: "https://login.everything.example.com/token",
          userInfoEndpoint: "https://login.everything.example.com/userinfo",
          secretName: "everything-web-oidc",
        }),
      );
      assert.equal(annotations["alb.ingress.kubernetes.io/auth-scope"], "openid email");
      assert.equal(annotations["alb.ingress.kubernetes.io/auth-session-timeout"], "3600");
      assert.equal(annotations["alb.ingress.kubernetes.io/tags"], "team=platform");
      // No ingress for Prometheus: the ALB subnets reach Alertmanager and the frontend only.
      const cidrs = ["10.20.0.0/22", "10.20.4.0/22"];
      assert.deepEqual(ipBlockRules(policyOf(plan, "prometheus")), []);
      assert.deepEqual(ipBlockRules(policyOf(plan, "alertmanager")), [
        { cidrs, ports: [{ port: 9093, protocol: "TCP" }] },
      ]);
    });
  });

  describe("config", () => {
    it("refuses an http URL in prod, naming the file, line and key", () => {
      const config = {
        "kube-monitoring:environment": "prod",
        "kube-monitoring:clusterName": "prod-1",
        "kube-monitoring:prometheus": { externalUrl: "http://prometheus.example.com/" },
        "kube-monitoring:alertmanager": { externalUrl: "http://alertmanager.example.com" },
        "kube-monitoring:grafana": { rootUrl: "http://grafana.example.com/" },
      };
      const dir = writeConfigDir("urls", config);
      try {
        const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.split(":")[1], v]));
        assert.throws(
          () => parseStackConfig("urls", raw, { locate: stackFileLocator(dir, "urls") }),
          (err: { problems: string[] }) => {
            // The line of each key in the file as written.
            const text = fs.readFileSync(path.join(dir, "Pulumi.urls.yaml"), "utf8").split("\n");
            const line = (value: string) => text.findIndex((l) => l.includes(value)) + 1;
            const why =
              "must be https:// in prod: people open it from Slack, PagerDuty and e-mail, across the network";
            assert.deepEqual(err.problems, [
              `Pulumi.urls.yaml:${line("http://prometheus.")}: prometheus.externalUrl: http://prometheus.example.com/ ${why}`,
              `Pulumi.urls.yaml:${line("http://alertmanager.")}: alertmanager.externalUrl: http://alertmanager.example.com ${why}`,
              `Pulumi.urls.yaml:${line("http://grafana.")}: grafana.rootUrl: http://grafana.example.com/ ${why}`,
            ]);
            assert.equal(line("http://prometheus."), 5);
            return true;
          },
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      // dev may keep a port-forward's http URL.
      const dev = parseStackConfig("dev", {
        environment: "dev",
        clusterName: "dev-1",
        prometheus: { externalUrl: "http://127.0.0.1:9090" },
      });
      assert.equal(dev.prometheus.externalUrl, "http://127.0.0.1:9090");
    });

    it("refuses credentials, a query or a fragment in an external URL, and a path the ingress would not serve", () => {
      // Credentials and control characters are refused before the schema, for every string.
      assert.deepEqual(
        problemsOf({
          prometheus: { externalUrl: "https://prometheus.example.com/\u0007" },
          alertmanager: { externalUrl: "https://user:pw@am.example.com/" },
        }),
        [
          "prod: prometheus.externalUrl: holds a control character (ESC, NUL, DEL, a bidi override or the like)",
          "prod: alertmanager.externalUrl: must not carry credentials (user:password@ or a token in the query); give them in the auth block where the field has one, or the whole URL as a secret where it allows (webhook.urlSecret)",
        ],
      );
      assert.deepEqual(
        problemsOf({
          alertmanager: { externalUrl: "https://am.example.com/?a=b" },
          grafana: { rootUrl: "https://grafana.example.com/#x" },
        }),
        [
          'prod: alertmanager.externalUrl: "https://am.example.com/?a=b" must not have a query or fragment: the UI appends its own paths to it',
          'prod: grafana.rootUrl: "https://grafana.example.com/#x" must not have a query or fragment: the UI appends its own paths to it',
        ],
      );
      assert.deepEqual(
        problemsOf({
          prometheus: { externalUrl: "https://example.com/prometheus", ingress: { host: "p.example.com" } },
          grafana: { ingress: grafanaIngress, sso },
          webAccess,
        }),
        [
          "prod: prometheus.externalUrl: https://example.com/prometheus has the path /prometheus, but the ingress serves the UI at the root of p.example.com; leave the path out",
        ],
      );
    });

    it("needs webAccess for a UI ingress, its endpoints without grafana.sso, and the ALB subnets with NetworkPolicies", () => {
      assert.deepEqual(problemsOf({ alertmanager: { ingress: { host: "am.example.com" } } }), [
        "prod: alertmanager.ingress: needs webAccess (the ACM certificate and the OIDC provider the ALB signs people in with): Prometheus, Alertmanager and Thanos Query have no login of their own",
      ]);
      assert.deepEqual(
        problemsOf({
          alertmanager: { ingress: { host: "am.example.com" } },
          webAccess: { ...webAccess, loadBalancerCidrs: [] },
        }),
        [
          "prod: webAccess.oidc.authorizationEndpoint: is required without grafana.sso (whose authUrl it defaults to)",
          "prod: webAccess.oidc.tokenEndpoint: is required without grafana.sso (whose tokenUrl it defaults to)",
          "prod: webAccess.oidc.userInfoEndpoint: is required without grafana.sso (whose apiUrl it defaults to)",
          "prod: webAccess.loadBalancerCidrs: must list the ALB subnets' CIDRs: the NetworkPolicies admit the ALB (which connects to IP targets from its own addresses) only from them; or set cluster.networkPolicies false",
        ],
      );
      const ok = configWith({
        cluster: { networkPolicies: false },
        alertmanager: { ingress: { host: "am.example.com" } },
        grafana: { ingress: grafanaIngress, sso },
        webAccess: { ...webAccess, loadBalancerCidrs: [] },
      });
      assert.equal(ok.alertmanager.externalUrl, "https://am.example.com/");
    });

    it("refuses public CIDRs, annotations the stack writes, a shared ALB and one host for two UIs", () => {
      assert.deepEqual(
        problemsOf({
          prometheus: { ingress: { host: "ui.example.com" } },
          alertmanager: { ingress: { host: "ui.example.com" } },
          grafana: { ingress: grafanaIngress, sso },
          webAccess: {
            ...webAccess,
            loadBalancerCidrs: ["10.0.0.0/20", "0.0.0.0/0"],
            annotations: {
              "alb.ingress.kubernetes.io/auth-type": "none",
              "alb.ingress.kubernetes.io/group.name": "shared",
              "alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/0",
            },
          },
        }),
        [
          'prod: webAccess.loadBalancerCidrs[1]: "0.0.0.0/0" is not a private CIDR (inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or fc00::/7, like 10.0.32.0/20)',
          "prod: webAccess.annotations.alb.ingress.kubernetes.io/auth-type: is written by the stack (TLS, health check, OIDC authentication); remove it",
          "prod: webAccess.annotations.alb.ingress.kubernetes.io/group.name: joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own",
          'prod: webAccess.annotations.alb.ingress.kubernetes.io/inbound-cidrs: "0.0.0.0/0": an internal ingress admits private ranges only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)',
          "prod: alertmanager.ingress.host: ui.example.com is already prometheus.ingress's host; give each UI its own",
        ],
      );
    });

    it("grants a namespaced Role when no team keeps dashboards elsewhere", () => {
      const values = buildKubePrometheusStackValues(kubePrometheusStackArgsFrom(configWith({}))) as Loose;
      assert.equal(values.grafana.sidecar.dashboards.searchNamespace, "monitoring");
      assert.deepEqual(grafanaRbacSpec("monitoring", false), {
        kind: "Role",
        name: "grafana-sidecar-configmaps",
        rules: CONFIGMAP_READ_RULES,
        subject: { kind: "ServiceAccount", name: "kps-grafana", namespace: "monitoring" },
      });
      const teams = buildKubePrometheusStackValues(
        kubePrometheusStackArgsFrom(configWith({ teams: [{ name: "payments" }] })),
      ) as Loose;
      assert.equal(teams.grafana.sidecar.dashboards.searchNamespace, "ALL");
    });

    it("speaks HTTPS to Prometheus and Alertmanager, health checks included, when they serve TLS", () => {
      const cfg = configWith({
        prometheus: { ingress: { host: "p.example.com" } },
        grafana: { ingress: grafanaIngress, sso },
        thanos: { enabled: false },
        webAccess,
      });
      const specs = webIngressSpecs({
        webAccess: cfg.webAccess!,
        sso: cfg.grafana.sso,
        ingresses: { prometheus: cfg.prometheus.ingress },
        webTls: true,
      });
      const a = specs[0].annotations;
      assert.deepEqual(
        [
          specs.length,
          a["alb.ingress.kubernetes.io/backend-protocol"],
          a["alb.ingress.kubernetes.io/healthcheck-protocol"],
        ],
        [1, "HTTPS", "HTTPS"],
      );
      const plain = webIngressSpecs({
        webAccess: cfg.webAccess!,
        sso: cfg.grafana.sso,
        ingresses: { prometheus: cfg.prometheus.ingress },
        webTls: false,
      });
      assert.equal(plain[0].annotations["alb.ingress.kubernetes.io/backend-protocol"], undefined);
    });

    it("opens no ipBlock without UI ingresses", () => {
      const policies = monitoringNetworkPolicies({
        namespace: "monitoring",
        thanos: true,
        pushgateway: false,
        loadBalancer: { cidrs: ["10.0.0.0/20"], uis: [] },
      });
      assert.deepEqual(
        policies.flatMap((p) => ipBlockRules({ spec: { ingress: p.ingress } })),
        [],
      );
    });
  });

  describe("policy web-ui-access", () => {
    let ingress: ReturnType<typeof resourceOf>;
    before(async () => {
      const { plan } = await planOf("prod");
      const found = plan!.resources.find(
        (r) => r.type === INGRESS && (r.inputs.metadata as Loose).name === "prometheus-web",
      )!;
      ingress = resourceOf(INGRESS, "prometheus", found.inputs);
    });
    // Each change its own resource (its own URN).
    const annotate = (change: (a: Record<string, string>) => void) =>
      resourceOf(
        INGRESS,
        "prometheus",
        changed(ingress.inputs, (inputs) => change((inputs.metadata as Loose).annotations)),
      );

    it("refuses a public ALB, no sign-in, an HTTP listener and a shared group", () => {
      assertViolations(
        webUiAccess,
        [
          annotate((a) => (a["alb.ingress.kubernetes.io/scheme"] = "internet-facing")),
          annotate((a) => {
            delete a["alb.ingress.kubernetes.io/auth-type"];
            a["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"] = "allow";
          }),
          annotate((a) => (a["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP":80},{"HTTPS":443}]')),
          annotate((a) => (a["alb.ingress.kubernetes.io/group.name"] = "shared")),
          annotate((a) => delete a["alb.ingress.kubernetes.io/scheme"]),
        ],
        [
          'Ingress prometheus (prometheus) is "internet-facing": a UI with no login of its own stays on the internal network (webAccess.internal).',
          "Ingress prometheus (prometheus) does not sign people in (auth-type oidc with auth-idp-oidc).",
          "Ingress prometheus (prometheus) lets unauthenticated requests through (auth-on-unauthenticated-request allow).",
          'Ingress prometheus (prometheus) is not HTTPS only (listen-ports [{"HTTPS":443}] with certificate-arn).',
          "Ingress prometheus (prometheus) is internal, but alb.ingress.kubernetes.io/group.name joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own.",
          "Ingress prometheus (prometheus) has no scheme annotation (the controller's defaults and IngressClassParams decide it): a UI with no login of its own stays on the internal network (webAccess.internal).",
        ],
      );
    });
  });

  describe("notification links", () => {
    it("render the Alertmanager's and Prometheus' external URLs (amtool)", async function () {
      requireTool(this, "amtool", "prometheus-alertmanager");
      const values = valuesOf((await planOf("prod")).plan);
      // Both servers trim the external URL's trailing slash before templates and links see it.
      const am = values.alertmanager.alertmanagerSpec.externalUrl.replace(/\/$/, "");
      const prom = values.prometheus.prometheusSpec.externalUrl.replace(/\/$/, "");
      const generatorURL = `${prom}/graph?g0.expr=up+%3D%3D+0&g0.tab=1`;
      const data = {
        receiver: "monitoring/platform/platform-slack",
        status: "firing",
        externalURL: am,
        alerts: [
          {
            status: "firing",
            labels: { alertname: "TargetDown" },
            annotations: { summary: "a target is down" },
            generatorURL,
          },
        ],
        groupLabels: {},
        commonLabels: { alertname: "TargetDown" },
        commonAnnotations: {},
      };
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-links-"));
      try {
        fs.writeFileSync(path.join(dir, "data.json"), JSON.stringify(data));
        fs.writeFileSync(path.join(dir, "none.tmpl"), "");
        const render = (text: string) =>
          execFileSync(
            "amtool",
            [
              "template",
              "render",
              `--template.glob=${path.join(dir, "none.tmpl")}`,
              `--template.text=${text}`,
              `--template.data=${path.join(dir, "data.json")}`,
            ],
            {
              encoding: "utf8",
            },
          ).trim();
        assert.equal(
          render(NOTIFICATION_LINKS.alerts),
          "https://alertmanager.prod.example.com/#/alerts?receiver=monitoring%2Fplatform%2Fplatform-slack",
        );
        assert.equal(render(NOTIFICATION_LINKS.source), generatorURL);
        assert.equal(render(NOTIFICATION_LINKS.slackText), `a target is down\nSource: ${generatorURL}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("are the Slack title link and PagerDuty client URL and link of every receiver", async () => {
      const { plan } = await planOf("prod");
      const platform = plan!.resources.find(
        (r) => r.type === "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
      )!;
      const receivers = (platform.inputs.spec as Loose).receivers as Loose[];
      const pd = receivers.find((r) => r.name === "platform-pagerduty")!.pagerdutyConfigs[0];
      assert.deepEqual(
        [pd.clientURL, pd.pagerDutyLinkConfigs],
        [NOTIFICATION_LINKS.alerts, [{ href: NOTIFICATION_LINKS.source, alt: "Query in Prometheus" }]],
      );
      const slack = receivers.find((r) => r.name === "platform-slack")!.slackConfigs[0];
      assert.deepEqual(
        [slack.titleLink, slack.text],
        [NOTIFICATION_LINKS.alerts, NOTIFICATION_LINKS.slackText],
      );
    });
  });
});
