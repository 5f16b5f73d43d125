import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
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

/** Copies the pack alone and installs it from its own lockfile; the promise settles with npm's result. */
function installCopyOfPack(): { dir: string; installed: Promise<{ status: number | null; output: string }> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-pack-"));
  for (const f of fs.readdirSync(packDir)) {
    if (f !== "node_modules") fs.copyFileSync(path.join(packDir, f), path.join(dir, f));
  }
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  // Offline: every package the pack locks is one the project's own install already fetched.
  const npm = spawn("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir });
  let output = "";
  npm.stdout.on("data", (d) => (output += String(d)));
  npm.stderr.on("data", (d) => (output += String(d)));
  const installed = new Promise<{ status: number | null; output: string }>((resolve) => {
    npm.on("error", (err) => resolve({ status: null, output: output + err.message }));
    npm.on("close", (status) => resolve({ status, output }));
  });
  return { dir, installed };
}

// The install starts as the specs load and runs beside the other specs: it is a child process, and
// nothing in it depends on them.
const packCopy = installCopyOfPack();

/**
 * `pulumi policy publish` ships the folder; whoever enforces it installs the pack's own dependencies and
 * runs it with the SDK's policy-pack runner, which type-checks TypeScript with ts-node. So: copy the
 * folder alone, install from its own lockfile, and run it as the runner does.
 */
describe("policy pack from a copy of policies/ alone", function () {
  this.timeout(180_000);
  const copy = packCopy.dir;
  before(async () => {
    const install = await packCopy.installed;
    assert.equal(install.status, 0, install.output);
  });
  after(() => fs.rmSync(copy, { recursive: true, force: true }));

  it("is served by the SDK's policy-pack runner, type-checked, with all its policies", async () => {
    const runner = path.join(copy, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: copy });
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
      // The copy's own packages, not the project's.
      const fromCopy = createRequire(path.join(copy, "package.json"));
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
    const script = `
      require("ts-node").register({ transpileOnly: true });
      const { loadPolicyConfig, runPolicies } = require("./harness.ts");
      const { allPolicies } = require("./all.ts");
      const cfg = loadPolicyConfig("prod", ".", allPolicies, "prod");
      const release = { type: "kubernetes:helm.sh/v3:Release", name: "r", urn: "urn:pulumi:prod::p::kubernetes:helm.sh/v3:Release::r",
        dependsOn: [], protect: false, inputs: { chart: "prometheus-pushgateway", version: "latest" } };
      const found = runPolicies([release], allPolicies, cfg.settings).map((v) => v.policy + " " + v.enforcementLevel);
      process.stdout.write(JSON.stringify(found));`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: copy, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [
      "monitoring-resource-limits mandatory",
      "helm-chart-pinned mandatory",
    ]);
  });
});
