import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackConfigSchema } from "../components/config";
import { configReference } from "../plan/configReference";
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
});
