import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { projectDir } from "./helpers/plan";

// plan/register.js: the loader every command and spec runs under (this spec too).
describe("the project's TypeScript loader", () => {
  // Inside the project (only its files are cached), where neither the type-check nor the formatter looks,
  // under one name, so runs reuse their cache entries instead of adding new ones.
  const dir = path.join(projectDir, "out", "loader-spec");
  const cacheDir = path.join(projectDir, "node_modules", ".cache", "kube-monitoring-ts");
  const entryOf = (file: string) =>
    path.join(cacheDir, `${createHash("sha256").update(file).update("\0").digest("hex")}.js`);
  beforeEach(() => fs.mkdirSync(dir, { recursive: true }));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes `lines` as `<dir>/<name>`, each ending in a newline; its path. */
  const source = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
    return file;
  };

  const load = (file: string) => {
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading afresh is the point
    return require(file) as Record<string, unknown>;
  };

  it("serves a changed file's new code, never the cached code of its earlier text", () => {
    const file = path.join(dir, "changing.ts");
    fs.writeFileSync(file, "export const answer: number = 1;\n");
    assert.equal(load(file).answer, 1);
    assert.equal(load(file).answer, 1, "from the cache");
    fs.writeFileSync(file, "export const answer: number = 2;\n");
    assert.equal(load(file).answer, 2);
    fs.writeFileSync(file, "export const answer: number = 1;\n");
    assert.equal(load(file).answer, 1);
  });

  it("transpiles a damaged cache entry again instead of running what it holds", () => {
    const file = path.join(dir, "damaged.ts");
    fs.writeFileSync(file, "export const steps: number[] = [1];\nsteps.push(2);\n");
    assert.deepEqual(load(file).steps, [1, 2]);
    const entry = entryOf(file);
    const text = fs.readFileSync(entry, "utf8");
    // Cut inside the code, the header kept: the key still matches the source.
    fs.writeFileSync(entry, text.slice(0, text.indexOf("steps.push")));
    assert.deepEqual(load(file).steps, [1, 2]);
    assert.equal(fs.readFileSync(entry, "utf8"), text, "and the entry is written whole again");
    // The same length, one character changed.
    fs.writeFileSync(entry, text.replace("steps.push(2)", "steps.push(3)"));
    assert.deepEqual(load(file).steps, [1, 2]);
  });

  it("keeps no entry for a file outside the project", () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-loader-"));
    try {
      const file = path.join(fs.realpathSync(outside), "scratch.ts");
      fs.writeFileSync(file, "export const answer: number = 42;\n");
      assert.equal(load(file).answer, 42);
      assert.equal(fs.existsSync(entryOf(file)), false);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("compiles as the project's tsconfig says: CommonJS with esModuleInterop, class fields defined", () => {
    const file = source("semantics.ts", [
      'import os from "node:os";',
      "class Base { constructor() { (this as { field?: number }).field = 5; } }",
      "class Derived extends Base { field?: number; }",
      "export const eol = os.EOL;",
      "export const field = new Derived().field;",
    ]);
    const mod = load(file);
    assert.equal(mod.eol, "\n", "a default import of a CommonJS module");
    // [[Define]] semantics (tsc's default for ES2022): a declared field is defined, as undefined, after
    // the base constructor ran; with assignment semantics it would keep the base's 5.
    assert.equal(mod.field, undefined);
  });

  it("maps a stack trace to the TypeScript file's own lines and columns", () => {
    const file = source("throws.ts", [
      "interface Unused { a: string }",
      "",
      "export function boom(): never {",
      '  const message: string = "boom";',
      "  throw new Error(message);",
      "}",
    ]);
    load(file);
    // Again, from the cache: the map comes from there too.
    const { boom } = load(file) as { boom: () => never };
    assert.throws(boom, (err: Error) => err.stack!.split("\n")[1].endsWith(`(${file}:5:9)`));
  });

  it("names the TypeScript line of an uncaught error, and exits 1", () => {
    const file = source("uncaught.ts", [
      "interface Unused { a: string }",
      'import os from "node:os";',
      "",
      'throw new Error("uncaught" + os.EOL);',
    ]);
    const run = spawnSync(process.execPath, ["-r", "./plan/register.js", file], {
      cwd: projectDir,
      encoding: "utf8",
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr.split("\n")[1], `${file}:4`);
  });

  it("loads the SDK without the TypeScript compiler, and TypeScript itself on first use", () => {
    const run = spawnSync(
      process.execPath,
      [
        "-r",
        "./plan/register.js",
        "-e",
        [
          "const { types } = require('node:util');",
          "require('@pulumi/pulumi');",
          "const key = require.resolve('typescript', { paths: [require.resolve('@pulumi/pulumi')] });",
          "const deferred = types.isProxy(require.cache[key].exports);",
          "const version = require('typescript').version;",
          "console.log(JSON.stringify({ deferred, version, after: types.isProxy(require.cache[key].exports) }));",
        ].join("\n"),
      ],
      { cwd: projectDir, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    const { version: expected } = JSON.parse(
      fs.readFileSync(path.join(projectDir, "node_modules", "typescript", "package.json"), "utf8"),
    ) as { version: string };
    assert.deepEqual(JSON.parse(run.stdout), { deferred: true, version: expected, after: false });
  });
});
