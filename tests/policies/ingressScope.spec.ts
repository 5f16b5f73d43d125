/**
 * What keeps an internal ingress internal, value by value: private ranges, and each annotation or class
 * that would let an ALB become internet-facing. Pure; mutation testing runs it for policies/ingressScope.ts
 * (tests/security/boundaries.spec.ts checks the same through the stack schema and grafana-access).
 */
import { strict as assert } from "node:assert";
import { internalIngressProblems, isPrivateCidr } from "../../policies/ingressScope";

const PRIVATE_ONLY =
  "an internal ingress admits private ranges only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)";
const CIDRS = "alb.ingress.kubernetes.io/inbound-cidrs";

describe("ingress scope", () => {
  const inside = [
    "10.0.0.0/8",
    "10.255.255.255/32",
    "172.16.0.0/12",
    "172.31.255.0/24",
    "192.168.0.0/16",
    "192.168.1.0/24",
    "100.64.0.0/10",
    "100.127.0.0/16",
    "fc00::/7",
    "fd00::/8",
    "FD12:3456::/48",
    "fd00::/100",
    " 10.1.0.0/16 ",
  ];
  const outside = [
    "10.0.0.0/7",
    "172.15.0.0/16",
    "172.32.0.0/16",
    "172.16.0.0/11",
    "192.169.0.0/16",
    "192.168.0.0/15",
    "100.63.0.0/16",
    "100.128.0.0/16",
    "100.64.0.0/9",
    "0.0.0.0/0",
    "8.8.8.0/24",
    "::/0",
    "2001:db8::/32",
    "fe80::/10",
    "fc00::/6",
    "10.0.0.1",
    "10.0.0.0/33",
    "10.0.0.0/100",
    "fd00::/129",
    "10.0.0.0/1000",
    "10.0.0.0/8/8",
    "x10.0.0.0/8",
    "999.0.0.0/8",
    "10.0.0.0/",
    "x",
    "",
  ];
  it(`counts as private: ${inside.join(", ")}`, () =>
    assert.deepEqual(
      inside.filter((c) => !isPrivateCidr(c)),
      [],
    ));
  it(`counts as not private: ${outside.map((c) => JSON.stringify(c)).join(", ")}`, () =>
    assert.deepEqual(
      outside.filter((c) => isPrivateCidr(c)),
      [],
    ));

  describe("internalIngressProblems", () => {
    it("finds nothing on class alb, or a class of another controller, with only private ranges", () => {
      assert.deepEqual(internalIngressProblems("alb", {}), []);
      assert.deepEqual(internalIngressProblems("nginx", { [CIDRS]: "10.0.0.0/8, fd00::/8" }), []);
      assert.deepEqual(internalIngressProblems("", { "alb.ingress.kubernetes.io/target-type": "ip" }), []);
    });

    for (const className of ["alb-public", "ALB", "internet-elb", "nlb", "my-aws"])
      it(`refuses the AWS class ${JSON.stringify(className)}`, () =>
        assert.deepEqual(internalIngressProblems(className, {}), [
          {
            at: ["className"],
            message: `${JSON.stringify(className)}: an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class's IngressClassParams may make it internet-facing`,
          },
        ]));

    it("refuses each annotation that could undo the scheme, at its key, in a fixed order", () => {
      assert.deepEqual(
        internalIngressProblems("alb-x", {
          [CIDRS]: "10.0.0.0/8,8.8.8.8/32, 1.1.1.1/32",
          "alb.ingress.kubernetes.io/group.name": "",
          "alb.ingress.kubernetes.io/scheme": "internal",
          "kubernetes.io/ingress.class": "",
        }),
        [
          {
            at: ["className"],
            message:
              '"alb-x": an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class\'s IngressClassParams may make it internet-facing',
          },
          {
            at: ["annotations", "kubernetes.io/ingress.class"],
            message: "overrides className on most controllers; set className instead",
          },
          {
            at: ["annotations", "alb.ingress.kubernetes.io/scheme"],
            message: "is set by the stack from grafana.ingress.internal; remove it",
          },
          {
            at: ["annotations", "alb.ingress.kubernetes.io/group.name"],
            message:
              "joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own",
          },
          { at: ["annotations", CIDRS], message: `"8.8.8.8/32", "1.1.1.1/32": ${PRIVATE_ONLY}` },
        ],
      );
    });

    it("names the open ranges, or an empty list, with the private ranges it admits", () => {
      const cidrs = (value: string) => internalIngressProblems("alb", { [CIDRS]: value });
      assert.deepEqual(cidrs("10.0.0.0/8, 0.0.0.0/0"), [
        { at: ["annotations", CIDRS], message: `"0.0.0.0/0": ${PRIVATE_ONLY}` },
      ]);
      assert.deepEqual(cidrs(""), [
        { at: ["annotations", CIDRS], message: `an empty list: ${PRIVATE_ONLY}` },
      ]);
      assert.deepEqual(cidrs("  "), [
        { at: ["annotations", CIDRS], message: `an empty list: ${PRIVATE_ONLY}` },
      ]);
      assert.deepEqual(cidrs("10.0.0.0/8,"), [
        { at: ["annotations", CIDRS], message: `"": ${PRIVATE_ONLY}` },
      ]);
    });

    it("refuses the group, scheme and legacy class annotations whatever their value", () => {
      for (const key of [
        "kubernetes.io/ingress.class",
        "alb.ingress.kubernetes.io/scheme",
        "alb.ingress.kubernetes.io/group.name",
      ])
        assert.deepEqual(
          internalIngressProblems("alb", { [key]: "" }).map((p) => p.at),
          [["annotations", key]],
        );
    });
  });
});
