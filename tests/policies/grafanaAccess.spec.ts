/**
 * Policy grafana-access on hand-made releases, case by case: every sign-on section, the string forms
 * Helm values take, TLS on an ALB, an internal scheme on the wrong class. No plan; mutation testing runs
 * it for policies/grafana.ts (tests/grafana.spec.ts holds the planned cases).
 */
import { strict as assert } from "node:assert";
import { grafanaAccess } from "../../policies/grafana";
import type { Json } from "../../policies/util";
import { resourceOf, violationsOf } from "../helpers/policies";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const WHERE = "Helm release kps: Grafana";
const ANONYMOUS = `${WHERE} lets anyone in anonymously (grafana.ini auth.anonymous.enabled); turn it off.`;
const NO_TLS = `${WHERE} is exposed by an ingress without TLS; set grafana.ingress.tls (a cert-manager issuer, a Secret, or an ACM certificate on alb).`;
const RBAC = `${WHERE}'s chart RBAC (rbac.create) lets its sidecars read Secrets; set grafana.rbac.create false and grant ConfigMaps only, as the stack does (components/kubePrometheusStack/grafanaRbac.ts).`;
const NO_SSO = `${WHERE} has no single sign-on; set grafana.sso, or make this policy advisory in the stack's policy config to record why not.`;

const SSO = { "auth.generic_oauth": { enabled: true } };
const good: Json = { "grafana.ini": SSO, rbac: { create: false } };
const problems = (grafana: Json | undefined, chart = "kube-prometheus-stack", type = RELEASE) =>
  violationsOf(grafanaAccess, [
    resourceOf(type, "kps", { chart, values: grafana === undefined ? {} : { grafana } }),
  ]).map((v) => v.message);
const ALB_TLS = {
  "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/x",
  "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
};
const withIngress = (ingress: Json) => ({ ...good, ingress: { enabled: true, ...ingress } });

describe("policy grafana-access (unit)", () => {
  it("finds every gap of a release without Grafana values, and none of another chart or kind", () => {
    assert.deepEqual(problems(undefined), [RBAC, NO_SSO]);
    assert.deepEqual(problems({}), [RBAC, NO_SSO]);
    assert.deepEqual(problems({ enabled: false }), []);
    assert.deepEqual(problems({ enabled: "false" }), [RBAC, NO_SSO]);
    assert.deepEqual(problems({}, "loki"), []);
    assert.deepEqual(problems({}, "kube-prometheus-stack", "kubernetes:core/v1:ConfigMap"), []);
  });

  it("is mandatory unless the stack's policy config says otherwise under its name", () => {
    const levels = (config = {}) =>
      violationsOf(
        grafanaAccess,
        [resourceOf(RELEASE, "kps", { chart: "kube-prometheus-stack", values: {} })],
        config,
      ).map((v) => v.enforcementLevel);
    assert.deepEqual(levels(), ["mandatory", "mandatory"]);
    assert.deepEqual(levels({ "grafana-access": "advisory" }), ["advisory", "advisory"]);
  });

  const sections = [
    "auth.generic_oauth",
    "auth.okta",
    "auth.google",
    "auth.azuread",
    "auth.github",
    "auth.gitlab",
    "auth.jwt",
    "auth.proxy",
    "auth.ldap",
  ];
  for (const section of sections)
    it(`counts ${section} as single sign-on, on as true or "true", off otherwise`, () => {
      const ini = (enabled: unknown) => ({ ...good, "grafana.ini": { [section]: { enabled } } });
      assert.deepEqual(problems(ini(true)), []);
      assert.deepEqual(problems(ini("true")), []);
      assert.deepEqual(problems(ini(false)), [NO_SSO]);
      assert.deepEqual(problems(ini("yes")), [NO_SSO]);
    });

  it("does not count the basic or anonymous sections as sign-on", () => {
    const ini = {
      "auth.basic": { enabled: true },
      auth: { enabled: true },
      "auth.anonymous": { enabled: false },
    };
    assert.deepEqual(problems({ ...good, "grafana.ini": ini }), [NO_SSO]);
  });

  it('refuses anonymous access on as true or "true"', () => {
    const anonymous = (enabled: unknown) => ({
      ...good,
      "grafana.ini": { ...SSO, "auth.anonymous": { enabled } },
    });
    assert.deepEqual(problems(anonymous(true)), [ANONYMOUS]);
    assert.deepEqual(problems(anonymous("true")), [ANONYMOUS]);
    assert.deepEqual(problems(anonymous(false)), []);
    assert.deepEqual(problems(anonymous("false")), []);
  });

  it('refuses the chart\'s RBAC unless rbac.create is false or "false"', () => {
    assert.deepEqual(problems({ ...good, rbac: { create: "false" } }), []);
    assert.deepEqual(problems({ ...good, rbac: { create: true } }), [RBAC]);
    assert.deepEqual(problems({ ...good, rbac: {} }), [RBAC]);
    assert.deepEqual(problems({ ...good, rbac: undefined }), [RBAC]);
  });

  it("needs TLS on an enabled ingress only: a tls list, or an ALB with a certificate and no HTTP listener", () => {
    assert.deepEqual(problems({ ...good, ingress: { enabled: false } }), []);
    assert.deepEqual(problems({ ...good, ingress: { enabled: "true" } }), []);
    assert.deepEqual(problems(withIngress({})), [NO_TLS]);
    assert.deepEqual(problems(withIngress({ tls: [] })), [NO_TLS]);
    assert.deepEqual(problems(withIngress({ tls: { secretName: "t" } })), [NO_TLS]);
    assert.deepEqual(problems(withIngress({ tls: [{ secretName: "t" }] })), []);
    assert.deepEqual(problems(withIngress({ ingressClassName: "alb", annotations: ALB_TLS })), []);
    // The same annotations on another class terminate nothing.
    assert.deepEqual(problems(withIngress({ ingressClassName: "nginx", annotations: ALB_TLS })), [NO_TLS]);
    const without = (key: string) =>
      Object.fromEntries(Object.entries(ALB_TLS).filter(([k]) => !k.endsWith(key)));
    assert.deepEqual(
      problems(withIngress({ ingressClassName: "alb", annotations: without("certificate-arn") })),
      [NO_TLS],
    );
    // No listen-ports: the controller listens on HTTP.
    assert.deepEqual(
      problems(withIngress({ ingressClassName: "alb", annotations: without("listen-ports") })),
      [NO_TLS],
    );
    assert.deepEqual(
      problems(
        withIngress({
          ingressClassName: "alb",
          annotations: { ...ALB_TLS, "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80}]' },
        }),
      ),
      [NO_TLS],
    );
  });

  it("keeps an internal scheme internal, on class alb only", () => {
    const internal = (ingressClassName: string | undefined, extra: Record<string, string> = {}) =>
      withIngress({
        ...(ingressClassName === undefined ? {} : { ingressClassName }),
        tls: [{ secretName: "t" }],
        annotations: { "alb.ingress.kubernetes.io/scheme": "internal", ...extra },
      });
    assert.deepEqual(problems(internal("alb")), []);
    assert.deepEqual(problems(internal("alb", { "kubernetes.io/ingress.class": "alb" })), [
      `${WHERE}'s ingress is internal, but kubernetes.io/ingress.class overrides className on most controllers; set className instead.`,
    ]);
    assert.deepEqual(problems(internal(undefined)), [
      `${WHERE}'s ingress has an ALB scheme annotation on class "", not alb.`,
    ]);
    assert.deepEqual(problems(internal("aws-public")), [
      `${WHERE}'s ingress is internal, but ingressClassName "aws-public": an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class's IngressClassParams may make it internet-facing.`,
    ]);
    // An internet-facing scheme is the adopter's own statement: no scope rules.
    assert.deepEqual(
      problems(
        withIngress({
          ingressClassName: "nginx",
          tls: [{ secretName: "t" }],
          annotations: {
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "alb.ingress.kubernetes.io/group.name": "shared",
          },
        }),
      ),
      [],
    );
  });
});
