/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums self time by where the code lives: a package
 * (`yaml`, `google-protobuf`, `@pulumi/pulumi`), a folder of this project (`plan/`, `policies/`), Node's
 * own modules (`node:internal`), or V8's buckets (`(garbage collector)`, `(program)`, `(idle)`).
 *
 * `node -r ./plan/register.js bench/profile.ts FILE.cpuprofile [N]` prints the top N (5) as JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileBucket {
  where: string;
  ms: number;
  share: number;
}

const root = path.resolve(__dirname, "..");

/** The bucket a frame's code belongs to. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return url.startsWith("node:internal") ? "node:internal" : url;
  const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = file.slice(modules + "/node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const relative = path.relative(root, file);
  if (relative.startsWith("..")) return file;
  return relative.includes("/") ? `${relative.split("/")[0]}/` : relative;
}

/** Self time per bucket, largest first. */
export function profileBuckets(profile: CpuProfile): ProfileBucket[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, bucketOf(n.callFrame.url, n.callFrame.functionName)]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    const where = byId.get(id) ?? "(unknown)";
    totals.set(where, (totals.get(where) ?? 0) + us);
  });
  return [...totals]
    .map(([where, us]) => ({ where, ms: Math.round(us / 1000), share: Number((us / all).toFixed(3)) }))
    .sort((a, b) => b.ms - a.ms);
}

/** The top `n` buckets of the profile file(s) in `dir` (the newest one). */
export function topOfProfileDir(dir: string, n = 5): ProfileBucket[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!files.length) return [];
  return profileBuckets(JSON.parse(fs.readFileSync(files[0], "utf8")) as CpuProfile).slice(0, n);
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  console.log(JSON.stringify(profileBuckets(profile).slice(0, Number(n ?? 5)), null, 1));
}
