import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const packDir = path.resolve(__dirname, "..", "..", "policies");
const rootPackage = JSON.parse(fs.readFileSync(path.join(packDir, "..", "package.json"), "utf8"));
const packPackage = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));

/** Every module a pack file imports: `[file, specifier]`. */
function importsOfPack(): [string, string][] {
  return fs
    .readdirSync(packDir)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) => {
      const text = fs.readFileSync(path.join(packDir, f), "utf8");
      return [...text.matchAll(/(?:from|require\()\s*"([^"]+)"/g)].map((m): [string, string] => [f, m[1]]);
    });
}

describe("policy pack is self-contained (what pulumi policy publish ships)", () => {
  it("imports nothing from outside policies/", () => {
    const outside = importsOfPack().filter(
      ([, spec]) => spec.startsWith(".") && !path.resolve(packDir, spec).startsWith(packDir + path.sep),
    );
    assert.deepEqual(outside, []);
  });

  it("declares every package it imports, at the version the project locks", () => {
    const packages = new Set(
      importsOfPack()
        .map(([, spec]) => spec)
        .filter((spec) => !spec.startsWith(".") && !spec.startsWith("node:"))
        .map((spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0])),
    );
    const declared = packPackage.dependencies ?? {};
    assert.deepEqual([...packages].sort(), Object.keys(declared).sort());
    const rootVersions = { ...rootPackage.dependencies, ...rootPackage.devDependencies };
    for (const name of packages) assert.equal(declared[name], rootVersions[name], name);
  });
});
