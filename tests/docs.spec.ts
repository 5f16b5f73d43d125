import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackConfigSchema } from "../components/config";
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

  it("declares every top-level key in Pulumi.yaml and names every field in its description", () => {
    const declared = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config as Record<
      string,
      { description: string }
    >;
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(stackConfigSchema.shape).sort());
    for (const p of paths) {
      const [first, ...rest] = p.split(".");
      const top = first.replace("[]", "");
      for (const segment of rest.map((r) => r.replace("[]", ""))) {
        assert.ok(declared[top].description.includes(segment), `Pulumi.yaml: ${p} (${segment})`);
      }
    }
  });

  it("lists every field in the README's config table", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    for (const p of paths) assert.ok(readme.includes(`| \`${p}\``), `README config table: ${p}`);
  });
});
