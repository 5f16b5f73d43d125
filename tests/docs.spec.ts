import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackConfigSchema } from "../components/config";
import type { z } from "zod";

const root = path.resolve(__dirname, "..");

/** Every field path the schema accepts, down to the resource requirement objects. */
function fieldPaths(schema: z.core.$ZodType, prefix = ""): string[] {
  let def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
  };
  while (def.innerType) def = def.innerType._zod.def as typeof def;
  if (def.type !== "object" || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) =>
    key === "resources" ? [`${prefix}${key}`] : fieldPaths(child, `${prefix}${key}.`),
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
      const [top, ...rest] = p.split(".");
      if (rest.length) assert.ok(declared[top].description.includes(rest.join(".")), `Pulumi.yaml: ${p}`);
    }
  });

  it("lists every field in the README's config table", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    for (const p of paths) assert.ok(readme.includes(`| \`${p}\``), `README config table: ${p}`);
  });
});
