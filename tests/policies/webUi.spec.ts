/**
 * Policy web-ui-access on hand-made ingresses: no plan (tests/webAccess.spec.ts checks the planned ones).
 * Mutation testing runs it for policies/webUi.ts.
 */
import { strict as assert } from "node:assert";
import { webUiAccess, webUiIngressProblems } from "../../policies/webUi";
import { assertNoViolations, assertViolations, resourceOf, violationsOf } from "../helpers/policies";

const ALB = "alb.ingress.kubernetes.io";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
/** What the stack writes on a UI ingress (components/WebIngresses.ts), the parts the policy reads. */
const SIGNED_IN: Record<string, string> = {
  [`${ALB}/scheme`]: "internal",
  [`${ALB}/listen-ports`]: '[{"HTTPS":443}]',
  [`${ALB}/certificate-arn`]: "arn:aws:acm:eu-west-1:123456789012:certificate/web",
  [`${ALB}/auth-type`]: "oidc",
  [`${ALB}/auth-idp-oidc`]: '{"issuer":"https://sso.example.com","secretName":"web-oidc"}',
  [`${ALB}/auth-on-unauthenticated-request`]: "authenticate",
};
const without = (key: string) =>
  Object.fromEntries(Object.entries(SIGNED_IN).filter(([k]) => k !== `${ALB}/${key}`));
const withOne = (key: string, value: string) => ({ ...SIGNED_IN, [key]: value });

const NOT_SIGNED_IN = "does not sign people in (auth-type oidc with auth-idp-oidc)";
const NOT_HTTPS = 'is not HTTPS only (listen-ports [{"HTTPS":443}] with certificate-arn)';
const NOT_INTERNAL = "a UI with no login of its own stays on the internal network (webAccess.internal)";

describe("policy web-ui-access (unit)", () => {
  describe("webUiIngressProblems", () => {
    it("finds nothing on what the stack writes, and with unauthenticated requests denied or the default", () => {
      assert.deepEqual(webUiIngressProblems("alb", SIGNED_IN), []);
      assert.deepEqual(
        webUiIngressProblems("alb", withOne(`${ALB}/auth-on-unauthenticated-request`, "deny")),
        [],
      );
      assert.deepEqual(webUiIngressProblems("alb", without("auth-on-unauthenticated-request")), []);
    });

    // One broken thing per case: its exact problems, and nothing else.
    const cases: [string, string, Record<string, string>, string[]][] = [
      [
        "another class",
        "nginx",
        SIGNED_IN,
        ["has class \"nginx\"; the stack's sign-in is the ALB's (class alb)"],
      ],
      [
        "another ALB class",
        "alb-public",
        SIGNED_IN,
        [
          "has class \"alb-public\"; the stack's sign-in is the ALB's (class alb)",
          'is internal, but its class "alb-public": an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class\'s IngressClassParams may make it internet-facing',
        ],
      ],
      ["no class", "", SIGNED_IN, ["has class \"\"; the stack's sign-in is the ALB's (class alb)"]],
      [
        "internet-facing",
        "alb",
        withOne(`${ALB}/scheme`, "internet-facing"),
        [`is "internet-facing": ${NOT_INTERNAL}`],
      ],
      [
        "no scheme",
        "alb",
        without("scheme"),
        [
          `has no scheme annotation (the controller's defaults and IngressClassParams decide it): ${NOT_INTERNAL}`,
        ],
      ],
      [
        "internal on a shared group and the legacy class annotation",
        "alb",
        { ...withOne(`${ALB}/group.name`, "shared"), "kubernetes.io/ingress.class": "alb" },
        [
          "is internal, but kubernetes.io/ingress.class overrides className on most controllers; set className instead",
          `is internal, but ${ALB}/group.name joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own`,
        ],
      ],
      [
        "internal, open to the internet",
        "alb",
        withOne(`${ALB}/inbound-cidrs`, "10.0.0.0/8, 0.0.0.0/0"),
        [
          `is internal, but ${ALB}/inbound-cidrs "0.0.0.0/0": an internal ingress admits private ranges only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)`,
        ],
      ],
      ["no auth-type", "alb", without("auth-type"), [NOT_SIGNED_IN]],
      ["auth-type cognito", "alb", withOne(`${ALB}/auth-type`, "cognito"), [NOT_SIGNED_IN]],
      ["oidc without its provider", "alb", without("auth-idp-oidc"), [NOT_SIGNED_IN]],
      ["oidc with an empty provider", "alb", withOne(`${ALB}/auth-idp-oidc`, ""), [NOT_SIGNED_IN]],
      [
        "unauthenticated requests allowed",
        "alb",
        withOne(`${ALB}/auth-on-unauthenticated-request`, "allow"),
        ["lets unauthenticated requests through (auth-on-unauthenticated-request allow)"],
      ],
      ["no certificate", "alb", without("certificate-arn"), [NOT_HTTPS]],
      ["no listen-ports (the controller listens on HTTP)", "alb", without("listen-ports"), [NOT_HTTPS]],
      [
        "an HTTP listener too",
        "alb",
        withOne(`${ALB}/listen-ports`, '[{"HTTP":80},{"HTTPS":443}]'),
        [NOT_HTTPS],
      ],
      ["HTTP only", "alb", withOne(`${ALB}/listen-ports`, '[{"HTTP":8080}]'), [NOT_HTTPS]],
    ];
    for (const [name, className, annotations, problems] of cases)
      it(`refuses ${name}`, () => assert.deepEqual(webUiIngressProblems(className, annotations), problems));

    it("lists every problem of a public ingress without sign-in or TLS, in order", () => {
      assert.deepEqual(webUiIngressProblems("nginx", {}), [
        "has class \"nginx\"; the stack's sign-in is the ALB's (class alb)",
        `has no scheme annotation (the controller's defaults and IngressClassParams decide it): ${NOT_INTERNAL}`,
        NOT_SIGNED_IN,
        NOT_HTTPS,
      ]);
    });
  });

  describe("the policy", () => {
    const ingress = (
      labels: Record<string, string> | undefined,
      annotations: Record<string, string>,
      className?: string,
    ) =>
      resourceOf(INGRESS, "ui", {
        metadata: { name: "prometheus-web", ...(labels ? { labels } : {}), annotations },
        spec: className === undefined ? {} : { ingressClassName: className },
      });

    it("reports each problem of a UI ingress as its own violation, naming the ingress and its UI", () => {
      assert.equal(webUiAccess.enforcementLevel, "mandatory");
      assertViolations(
        webUiAccess,
        [ingress({ "kube-monitoring.io/web-ui": "alertmanager" }, without("auth-type"), "alb")],
        [`Ingress ui (alertmanager) ${NOT_SIGNED_IN}.`],
      );
      assertViolations(
        webUiAccess,
        [
          ingress(
            { "kube-monitoring.io/web-ui": "thanos-query" },
            withOne(`${ALB}/listen-ports`, '[{"HTTP":80}]'),
          ),
        ],
        [
          `Ingress ui (thanos-query) has class ""; the stack's sign-in is the ALB's (class alb).`,
          `Ingress ui (thanos-query) ${NOT_HTTPS}.`,
        ],
      );
    });

    it("takes its level from the stack's policy config, under its name", () => {
      const found = violationsOf(
        webUiAccess,
        [ingress({ "kube-monitoring.io/web-ui": "prometheus" }, without("certificate-arn"), "alb")],
        { "web-ui-access": "advisory" },
      );
      assert.deepEqual(
        found.map((v) => [v.policy, v.enforcementLevel, v.message]),
        [["web-ui-access", "advisory", `Ingress ui (prometheus) ${NOT_HTTPS}.`]],
      );
    });

    it("reads a UI ingress without annotations or spec as having none", () => {
      const bare = resourceOf(INGRESS, "bare", {
        metadata: { labels: { "kube-monitoring.io/web-ui": "prometheus" } },
      });
      assertViolations(
        webUiAccess,
        [bare],
        [
          `Ingress bare (prometheus) has class ""; the stack's sign-in is the ALB's (class alb).`,
          `Ingress bare (prometheus) has no scheme annotation (the controller's defaults and IngressClassParams decide it): ${NOT_INTERNAL}.`,
          `Ingress bare (prometheus) ${NOT_SIGNED_IN}.`,
          `Ingress bare (prometheus) ${NOT_HTTPS}.`,
        ],
      );
    });

    it("passes a signed-in UI ingress, and leaves other ingresses and kinds alone", () => {
      assertNoViolations(webUiAccess, [
        ingress({ "kube-monitoring.io/web-ui": "prometheus" }, SIGNED_IN, "alb"),
        ingress({ app: "shop" }, {}, "nginx"),
        ingress(undefined, {}, "nginx"),
        resourceOf(INGRESS, "no-metadata", { spec: { ingressClassName: "nginx" } }),
        resourceOf("kubernetes:core/v1:Service", "svc", {
          metadata: { labels: { "kube-monitoring.io/web-ui": "prometheus" } },
        }),
      ]);
    });
  });
});
