/** Policy helm-chart-pinned, version by version. No plan; mutation testing runs it for policies/helm.ts. */
import { strict as assert } from "node:assert";
import { helmChartPinned } from "../../policies/helm";
import { resourceOf, violationsOf } from "../helpers/policies";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const verdict = (version: unknown, type = RELEASE) =>
  violationsOf(helmChartPinned, [resourceOf(type, "kps", { chart: "kube-prometheus-stack", version })]).map(
    (v) => [v.enforcementLevel, v.message],
  );
const refused = (shown: string) => [
  [
    "mandatory",
    `Helm release kps: chart kube-prometheus-stack version ${shown} is not an exact version; pin one like 88.5.3 so every deploy installs the same chart.`,
  ],
];

describe("policy helm-chart-pinned (unit)", () => {
  const exact = [
    "88.5.3",
    "0.0.0",
    "v1.2.3",
    "10.20.30",
    "1.2.3-rc.1",
    "1.2.3-alpha-2",
    "1.2.3+build.5",
    "1.2.3-rc.1+b.2",
  ];
  for (const version of exact) it(`passes ${version}`, () => assert.deepEqual(verdict(version), []));

  const ranges = [
    "^88.0.0",
    "~1.2.3",
    ">=1.2.3",
    "1.2",
    "1.2.x",
    "1.2.*",
    "latest",
    "",
    " 1.2.3",
    "1.2.3 ",
    "x1.2.3",
    "1.2.3x",
    "V1.2.3",
    "vv1.2.3",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-rc_1",
    "1.2.3+b_1",
    "1.2.3 || 2.0.0",
    "1.2.3\n",
  ];
  for (const version of ranges)
    it(`refuses ${JSON.stringify(version)}`, () =>
      assert.deepEqual(verdict(version), refused(JSON.stringify(version))));

  it("refuses no version and a version that is not text", () => {
    assert.deepEqual(verdict(undefined), refused("null"));
    assert.deepEqual(verdict(null), refused("null"));
    assert.deepEqual(verdict(88), refused("88"));
    // A list whose one item is an exact version reads like it as text, and is still no version.
    assert.deepEqual(verdict(["88.5.3"]), refused('["88.5.3"]'));
  });

  it("takes its level from the stack's policy config, under its name", () => {
    const found = violationsOf(
      helmChartPinned,
      [resourceOf(RELEASE, "kps", { chart: "kube-prometheus-stack", version: "latest" })],
      { "helm-chart-pinned": "advisory" },
    );
    assert.deepEqual(
      found.map((v) => [v.policy, v.enforcementLevel]),
      [["helm-chart-pinned", "advisory"]],
    );
  });

  it("looks at Helm releases only", () => {
    assert.deepEqual(verdict("latest", "kubernetes:helm.sh/v3:Chart"), []);
    assert.deepEqual(verdict("latest", "kubernetes:core/v1:ConfigMap"), []);
  });
});
