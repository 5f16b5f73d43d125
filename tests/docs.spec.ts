import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackConfigSchema } from "../components/config";
import { appLabels } from "../components/appResources";
import { ruleContext } from "../components/appRules";
import { anchorOf, configReference, configRows } from "../plan/configReference";
import { DERIVED, EXAMPLES, REMOVED } from "../plan/configExamples";
import { parseStackDoc } from "./helpers/stackDoc";
import type { z } from "zod";

const root = path.resolve(__dirname, "..");

/** Fields documented as one structured value (the operator's own types, or requests/limits). */
const documentedWhole = new Set(["resources", "queueConfig", "writeRelabelConfigs", "relabelings"]);

/** Every field path the schema accepts, down to resource requirements, list items (`[]`) and unions. */
function fieldPaths(schema: z.core.$ZodType, prefix = ""): string[] {
  type Def = {
    type: string;
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
    element?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
  };
  let def = schema._zod.def as Def;
  while (def.innerType || (def.type === "pipe" && def.in)) def = (def.innerType ?? def.in!)._zod.def as Def;
  if (def.type === "array" && def.element) {
    const items = fieldPaths(def.element, `${prefix.replace(/\.$/, "")}[].`);
    return items.length === 1 && items[0].endsWith("[].") ? [prefix] : items;
  }
  if (def.type !== "object" || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) =>
    documentedWhole.has(key) ? [`${prefix}${key}`] : fieldPaths(child, `${prefix}${key}.`),
  );
}

describe("config documentation", () => {
  const paths = fieldPaths(stackConfigSchema).map((p) => p.replace(/\.$/, ""));

  it("declares every top-level key in Pulumi.yaml, each with a description", () => {
    const declared = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config as Record<
      string,
      { description?: string }
    >;
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(stackConfigSchema.shape).sort());
    for (const [key, d] of Object.entries(declared)) assert.ok(d.description?.trim(), `Pulumi.yaml: ${key}`);
  });

  it("keeps docs/configuration.md equal to what the schema generates (npm run docs)", () => {
    const checkedIn = fs.readFileSync(path.join(root, "docs", "configuration.md"), "utf8");
    assert.equal(checkedIn, configReference(root), "docs/configuration.md is stale: run npm run docs");
  });

  it("has a row in the reference for every field the schema accepts", () => {
    const reference = configReference(root);
    const missing = paths.filter((p) => !reference.includes(`| \`${p}\` |`));
    assert.deepEqual(missing, []);
  });

  const reference = configReference(root);
  const sections = configRows();
  const declared = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config as Record<
    string,
    { description: string; default?: unknown }
  >;
  const required = { environment: "dev", clusterName: "docs-example" };

  it("opens with a contents list linking every section, each link to a heading that exists", () => {
    const contents = reference.slice(
      reference.indexOf("## Contents"),
      reference.indexOf("\n## ", reference.indexOf("## Contents")),
    );
    const links = [...contents.matchAll(/^- \[(.+?)\]\(#([^)]+)\)/gm)].map((m) => [m[1], m[2]]);
    const headings = [...reference.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((h) => h !== "Contents");
    assert.deepEqual(
      links.map(([text]) => text),
      headings,
    );
    assert.deepEqual(
      links.map(([, anchor]) => anchor),
      headings.map(anchorOf),
    );
    assert.equal(anchorOf("`kubeStateMetrics`"), "kubestatemetrics");
    assert.equal(anchorOf("Credentials and integrations"), "credentials-and-integrations");
  });

  it("has one worked example per section, each accepted by the real config parser", () => {
    assert.deepEqual(Object.keys(EXAMPLES).sort(), [...sections.keys()].sort());
    for (const [key, text] of Object.entries(EXAMPLES)) {
      assert.equal(reference.split("```yaml\n" + text.trimEnd() + "\n```").length, 2, `${key}: shown once`);
      const keys = Object.keys(parse(text).config).map((k) => k.replace(/^kube-monitoring:/, ""));
      assert.ok(keys.includes(key), `${key}: the example sets it`);
      assert.doesNotThrow(() => parseStackDoc(text, required), `${key}'s example`);
    }
  });

  it("rejects an example with a typo, so the example spec can fail", () => {
    const broken = EXAMPLES.apps.replace("defaultReceiver:", "defaultReciever:");
    assert.throws(
      () => parseStackDoc(broken, required),
      /defaultReciever: unknown key; did you mean defaultReceiver/,
    );
  });

  it("gives each key path one row, credentials one row naming both forms", () => {
    for (const [key, rows] of sections) {
      const paths = rows.map((r) => r.path);
      assert.deepEqual(
        paths.filter((p, i) => paths.indexOf(p) !== i),
        [],
        key,
      );
    }
    const row = (p: string) => [...sections.values()].flat().find((r) => r.path === p);
    assert.deepEqual(row("grafana.sso.clientSecret"), {
      path: "grafana.sso.clientSecret",
      type: "Pulumi secret, or `{ secretName, key }` of an existing Secret",
      default: "required",
    });
    assert.equal(row("grafana.sso.clientSecret.secretName"), undefined);
    assert.equal(row("remoteWrite[].auth.token")?.type, "Pulumi secret");
    assert.equal(
      row("grafana.ingress.tls")?.type,
      "one of `{ certManagerIssuer, issuerKind }`, `{ secretName }`, `{ acmCertificateArn }`",
    );
    assert.equal(row("remoteWrite[].auth.type")?.type, '"none" | "basic" | "bearer" | "sigv4"');
    assert.equal(row("remoteWrite[].auth")?.default, '`{"type":"none"}`');
    assert.equal(row("alerting.receivers")?.default, "`[]`");
  });

  it("takes defaults from the schema only: descriptions state none, Pulumi.yaml's defaults are the schema's", () => {
    for (const [key, d] of Object.entries(declared)) {
      assert.doesNotMatch(d.description, /\bdefault\b/i, `Pulumi.yaml: ${key}`);
      if (d.default !== undefined) {
        const parsed = stackConfigSchema.parse(required) as Record<string, unknown>;
        assert.deepEqual(d.default, parsed[key], `Pulumi.yaml: ${key}'s default`);
      }
    }
    assert.equal(reference.match(/docs\/configuration\.md/g), null, "no self-reference");
  });

  it("marks removed keys, which the parser refuses", () => {
    const rows = new Map([...sections.values()].flat().map((r) => [r.path, r]));
    assert.deepEqual(Object.keys(REMOVED), ["apps[].routing.platformAlerts"]);
    assert.equal(rows.get("apps[].routing.platformAlerts")?.type, REMOVED["apps[].routing.platformAlerts"]);
    const withRemoved = EXAMPLES.apps.replace(
      "        defaultReceiver:",
      "        platformAlerts: true\n        defaultReceiver:",
    );
    assert.throws(() => parseStackDoc(withRemoved, required), /platformAlerts: was removed/);
  });

  it("states each derived default on a key the schema leaves unset, as the program computes it", () => {
    const rows = new Map([...sections.values()].flat().map((r) => [r.path, r]));
    for (const [at, d] of Object.entries(DERIVED)) {
      assert.equal(rows.get(at)?.default, `derived: ${d.text}`, at);
    }
    const generic = parseStackDoc("config: {}", required);
    const eks = parseStackDoc("config: {kube-monitoring:cluster: {provider: eks}}", required);
    const thanos = parseStackDoc(EXAMPLES.thanos, required);
    assert.equal(generic.prometheus.retention, "15d");
    assert.equal(thanos.prometheus.retention, "6d");
    assert.deepEqual(
      [
        generic.cluster.storageClass.create,
        generic.cluster.storageClass.name,
        generic.cluster.kubeProxyMetrics,
      ],
      [false, undefined, true],
    );
    assert.deepEqual(
      [eks.cluster.storageClass.create, eks.cluster.storageClass.name, eks.cluster.kubeProxyMetrics],
      [true, "monitoring-gp3", false],
    );
    assert.deepEqual(
      [
        eks.prometheus.storageClass,
        eks.alertmanager.storageClass,
        eks.grafana.persistence.storageClass,
        eks.thanos.storeGateway.storageClass,
        eks.thanos.compactor.storageClass,
      ],
      Array(5).fill("monitoring-gp3"),
    );
    const teams = parseStackDoc(EXAMPLES.teams, required).teams;
    assert.deepEqual(
      teams.map((t) => t.namespacePrefix),
      ["payments-", "find-"],
    );
    const app = parseStackDoc(EXAMPLES.apps, required).apps[0];
    assert.deepEqual(appLabels({ ...app, selector: undefined }), { app: "checkout" });
    assert.equal(ruleContext(app).job, "checkout");
    assert.equal(ruleContext(app).podNameRegex, "checkout-.*");
    // The texts say what the program computed above, so a change to either fails here.
    const text = (at: string) => DERIVED[at].text;
    const q = (v: unknown) => `\`${JSON.stringify(v)}\``;
    assert.equal(
      text("prometheus.retention"),
      `${q(generic.prometheus.retention)}, or ${q(thanos.prometheus.retention)} when \`thanos.enabled\``,
    );
    assert.equal(
      text("cluster.storageClass.create"),
      `${q(eks.cluster.storageClass.create)} when \`provider\` is eks, else ${q(generic.cluster.storageClass.create)}`,
    );
    assert.ok(
      text("cluster.storageClass.name").startsWith(`${q(eks.cluster.storageClass.name)} when created`),
    );
    assert.equal(
      text("cluster.kubeProxyMetrics"),
      `${q(eks.cluster.kubeProxyMetrics)} when \`provider\` is eks, else ${q(generic.cluster.kubeProxyMetrics)}`,
    );
    for (const at of Object.keys(DERIVED).filter((k) => k.endsWith(".storageClass"))) {
      assert.equal(text(at), "`cluster.storageClass.name`", at);
    }
    assert.equal(text("teams[].namespacePrefix"), "`<name>-`");
    assert.equal(text("apps[].selector"), "`{ app: <name> }`");
    assert.equal(text("apps[].podNameRegex"), "`<name>-.*`");
  });
});
