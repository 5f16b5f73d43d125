import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/all";

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
  it("is type-checked as strictly as the project: the same checking options in its own tsconfig.json", () => {
    // What checks the code; not where output goes or which ambient types each program loads.
    const options = (dir: string) =>
      Object.fromEntries(
        Object.entries(
          JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).compilerOptions,
        ).filter(([key]) => !["outDir", "sourceMap", "types"].includes(key)),
      );
    assert.deepEqual(options(packDir), options(path.join(packDir, "..")));
  });

  it("imports nothing from outside policies/", () => {
    const outside = importsOfPack().filter(
      ([, spec]) => spec.startsWith(".") && !path.resolve(packDir, spec).startsWith(packDir + path.sep),
    );
    assert.deepEqual(outside, []);
  });

  it("takes the SDK's checking proxy from the module the package's index exports it from", () => {
    // The harness requires @pulumi/policy/proxy (the index also loads the analyzer's server): the same
    // functions, or an SDK upgrade that moved them fails here rather than in a plan.
    const fromPack = createRequire(path.join(packDir, "harness.ts"));
    const index = fromPack("@pulumi/policy");
    const proxy = fromPack("@pulumi/policy/proxy");
    assert.equal(typeof index.unknownCheckingProxy, "function");
    assert.equal(proxy.unknownCheckingProxy, index.unknownCheckingProxy);
    assert.equal(proxy.UnknownValueError, index.UnknownValueError);
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

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const packLock = JSON.parse(fs.readFileSync(path.join(packDir, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};
const rootLock = JSON.parse(fs.readFileSync(path.join(packDir, "..", "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};
/** `node_modules/a/node_modules/@b/c` → `@b/c`. */
const lockName = (key: string) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);

describe("policy pack's own lockfile", () => {
  it("is in step with its package.json, as npm ci requires", () => {
    const root = packLock.packages[""];
    assert.deepEqual(root.dependencies, packPackage.dependencies);
    assert.deepEqual(root.devDependencies, packPackage.devDependencies);
    for (const name of Object.keys({ ...packPackage.dependencies, ...packPackage.devDependencies }))
      assert.ok(packLock.packages[`node_modules/${name}`], `${name} is not in policies/package-lock.json`);
  });

  it("locks every package at a version and integrity the project's own install holds", () => {
    const held = new Set(
      Object.entries(rootLock.packages).map(([key, e]) => `${lockName(key)}@${e.version} ${e.integrity}`),
    );
    const missing = Object.entries(packLock.packages)
      .filter(([key]) => key !== "")
      .map(([key, e]) => `${lockName(key)}@${e.version} ${e.integrity}`)
      .filter((entry) => !held.has(entry));
    assert.deepEqual(missing, []);
  });
});

/**
 * The pack alone: its files copied to a fresh folder whose node_modules holds only the packages it
 * declares, each linked to the project's install of the same version (the spec above checks that every
 * locked version and integrity is one the project installed). A pack file that imports anything else
 * does not resolve. Linking instead of `npm ci` spares extracting 10,000 files on every run.
 */
function linkedCopyOfPack(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-pack-"));
  for (const f of fs.readdirSync(packDir)) {
    if (f !== "node_modules") fs.copyFileSync(path.join(packDir, f), path.join(dir, f));
  }
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const name of Object.keys({ ...packPackage.dependencies, ...packPackage.devDependencies })) {
    const link = path.join(dir, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(packDir, "..", "node_modules", name), link, "dir");
  }
  return dir;
}

/**
 * `pulumi policy publish` ships the folder; whoever enforces it installs the pack's own dependencies and
 * runs it with the SDK's policy-pack runner, which type-checks TypeScript with ts-node. So: copy the
 * folder alone, with only its declared packages, and run it as the runner does.
 */
describe("policy pack from a copy of policies/ alone", function () {
  this.timeout(180_000);
  const copy = linkedCopyOfPack();
  after(() => fs.rmSync(copy, { recursive: true, force: true }));

  it("is served by the SDK's policy-pack runner, type-checked, with all its policies", async () => {
    const runner = path.join(copy, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    // Maglev at most: the type-checker's hot loops still get optimised code, without TurboFan's
    // background compiles (≈0.8 CPU s of the run's ≈6); V8's tiers do not change what runs.
    const child = spawn(process.execPath, ["--max-opt=2", runner, "127.0.0.1:1", "."], { cwd: copy });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += String(d);
          const match = /^(\d+)\n/.exec(out);
          if (match) resolve(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`the runner exited with ${code}: ${out}${stderr}`)));
      });
      // The SDK the copy links to, and the packages it resolves (the runner's own).
      const fromCopy = createRequire(
        fs.realpathSync(path.join(copy, "node_modules", "@pulumi", "pulumi", "package.json")),
      );
      const grpc = fromCopy("@grpc/grpc-js");
      const { AnalyzerClient } = fromCopy("@pulumi/pulumi/proto/analyzer_grpc_pb");
      const { Empty } = fromCopy("google-protobuf/google/protobuf/empty_pb");
      const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const info = await new Promise<{ getName(): string; getPoliciesList(): { getName(): string }[] }>(
        (resolve, reject) =>
          client.getAnalyzerInfo(new Empty(), (err: Error | null, res: never) =>
            err ? reject(err) : resolve(res),
          ),
      );
      client.close();
      assert.equal(info.getName(), "kube-monitoring");
      assert.deepEqual(
        info.getPoliciesList().map((p) => p.getName()),
        allPolicies.map((p) => p.name),
      );
    } finally {
      child.kill();
    }
  });

  it("evaluates resources with the copy's harness and the committed prod config", () => {
    // The copy's own modules, resolving their imports from the copy (only its declared packages).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadPolicyConfig, runPolicies } = require(
      path.join(copy, "harness.ts"),
    ) as typeof import("../../policies/harness");
    const { allPolicies: copied } = require(path.join(copy, "all.ts")) as typeof import("../../policies/all");
    /* eslint-enable @typescript-eslint/no-require-imports */
    assert.notEqual(copied, allPolicies, "the copy's modules, not the project's");
    const cfg = loadPolicyConfig("prod", copy, copied, "prod");
    const release = {
      type: "kubernetes:helm.sh/v3:Release",
      name: "r",
      urn: "urn:pulumi:prod::p::kubernetes:helm.sh/v3:Release::r",
      dependsOn: [],
      protect: false,
      inputs: { chart: "prometheus-pushgateway", version: "latest" },
    };
    assert.deepEqual(
      runPolicies([release], copied, cfg.settings).map((v) => `${v.policy} ${v.enforcementLevel}`),
      ["monitoring-resource-limits mandatory", "helm-chart-pinned mandatory"],
    );
  });
});
