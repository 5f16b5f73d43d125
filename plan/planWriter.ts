/**
 * Writes a plan's files into a directory (plan.ts's writePlan gives it a fresh one and swaps it in):
 * `plan.json` and `manifests/`. Each resource's recorded inputs are the one representation: plan.json
 * and every manifest are serialised from them a resource at a time and written at once, so a large plan
 * is never held as JS, JSON and YAML together.
 *
 * The manifests' layout (docs/plan-output.md):
 * - `all`: one YAML file per Kubernetes object (`<kind>-<namespace>-<name>.yaml`), one per Helm release
 *   with its values (`helm-release-<release>.values.yaml`), and the derived files;
 * - `summary`: the Helm values files, the derived files, each PrometheusRule's groups as a rule file
 *   promtool reads (`rules/<namespace>-<name>.rules.yaml`) and `objects.tsv`: one line per object (kind,
 *   namespace, name, the file `all` would write, URN); the objects themselves are in plan.json;
 * - `none`: the derived files only;
 * and without `--manifests`, `all` up to ALL_MANIFESTS_UP_TO objects, else `summary`. The derived files
 * are `alertmanager.effective.yaml` and `alert-routing.md`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { HELM_RELEASE } from "../policies/util";
import { ruleFiles } from "./alertmanagerConfig";
import type { RecordedResource } from "./runtime";

export const MANIFEST_MODES = ["none", "summary", "all"] as const;
export type ManifestMode = (typeof MANIFEST_MODES)[number];

/** Without `--manifests`, every object is written up to this many objects; above, the summary. */
export const ALL_MANIFESTS_UP_TO = 1000;

/** The summary's list of objects under `manifests/`. */
export const OBJECTS_INDEX_FILE = "objects.tsv";
/** The summary's rule files under `manifests/`. */
export const RULES_DIR = "rules";

/** Where one resource's manifest goes and what it holds, without serialising it yet. */
export interface ManifestEntry {
  file: string;
  resource: RecordedResource;
  /** A Helm release's values rather than an object. */
  values: boolean;
  kind?: string;
  namespace?: string;
  name?: string;
}

/** The manifest files of `resources`, sorted by file name (stable: the later of two same-named wins). */
export function manifestEntries(resources: readonly RecordedResource[]): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (const r of resources) {
    if (r.type === HELM_RELEASE) {
      const release = String(r.inputs.name ?? r.name);
      entries.push({ file: `helm-release-${release}.values.yaml`, resource: r, values: true });
      continue;
    }
    const { apiVersion, kind, metadata } = r.inputs as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    };
    if (!r.type.startsWith("kubernetes:") || !apiVersion || !kind) continue;
    const name = metadata?.name ?? r.name;
    const where = metadata?.namespace ? `${metadata.namespace}-` : "";
    entries.push({
      file: `${kind.toLowerCase()}-${where}${name}.yaml`,
      resource: r,
      values: false,
      kind,
      namespace: metadata?.namespace,
      name,
    });
  }
  return entries.sort((a, b) => a.file.localeCompare(b.file));
}

/** The YAML of one manifest entry. */
export function manifestYaml(entry: ManifestEntry): string {
  const r = entry.resource;
  return stringify(entry.values ? (r.inputs.values ?? {}) : r.inputs, { lineWidth: 0 });
}

/** The layout used without `--manifests` for these entries. */
export function defaultManifestMode(entries: readonly ManifestEntry[]): ManifestMode {
  return entries.filter((e) => !e.values).length > ALL_MANIFESTS_UP_TO ? "summary" : "all";
}

/** Buffers text and writes it to a file descriptor a megabyte at a time. */
class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (!this.parts.length) return;
    fs.writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

const isSerialisable = (v: unknown) => v !== undefined && typeof v !== "function" && typeof v !== "symbol";

/**
 * Writes `value` (an object) as `JSON.stringify(value, null, 2) + "\n"` would, byte for byte, but one
 * array element at a time: no copy of the whole document is ever held. Before the key `waitFor.key` it
 * waits for `waitFor.until` (which fills that key and the ones after it in): the resources are on disk
 * while the tools still run.
 */
export async function writeJsonStreaming(
  file: string,
  value: Record<string, unknown>,
  waitFor?: { key: string; until: Promise<unknown> },
): Promise<void> {
  const fd = fs.openSync(file, "wx");
  try {
    const out = new ChunkedWriter(fd);
    // A value nested one (or two) levels deep: JSON.stringify's text, its lines indented to that level.
    const nested = (v: unknown, indent: string) => JSON.stringify(v, null, 2).replaceAll("\n", `\n${indent}`);
    let written = 0;
    for (const key of Object.keys(value)) {
      if (key === waitFor?.key) await waitFor.until;
      const v = value[key];
      if (!isSerialisable(v)) continue;
      out.write(`${written++ ? "," : "{"}\n  ${JSON.stringify(key)}: `);
      if (Array.isArray(v) && v.length) {
        out.write("[");
        v.forEach((element, j) => {
          // JSON.stringify writes an undefined or function element as null.
          out.write(`${j ? "," : ""}\n    ${isSerialisable(element) ? nested(element, "    ") : "null"}`);
        });
        out.write("\n  ]");
      } else out.write(nested(v, "  "));
    }
    out.write(written ? "\n}\n" : "{}\n");
    out.flush();
  } finally {
    fs.closeSync(fd);
  }
}

export interface PlanFiles {
  /** plan.json's content, written in its key order. */
  plan: Record<string, unknown>;
  /** Resolves when plan.json's `checks` (and what follows it) are filled in. */
  checksDone?: Promise<unknown>;
  resources: readonly RecordedResource[];
  manifests?: ManifestMode;
  /** Derived files under `manifests/` (name → text), written in every layout. */
  derived: Record<string, string>;
}

/** Writes the manifests, then plan.json, into `dir` (fresh and empty); resolves with the layout used. */
export async function writePlanFiles(dir: string, files: PlanFiles): Promise<ManifestMode> {
  const manifestsDir = path.join(dir, "manifests");
  fs.mkdirSync(manifestsDir);
  const entries = manifestEntries(files.resources);
  const mode = files.manifests ?? defaultManifestMode(entries);
  // A name written twice (two objects of one kind, namespace and name) keeps the later one, as before.
  for (const entry of entries) {
    if (mode === "all" || (mode === "summary" && entry.values))
      fs.writeFileSync(path.join(manifestsDir, entry.file), manifestYaml(entry));
  }
  if (mode === "summary") {
    const cell = (s: string | undefined) => (s ?? "").replace(/[\t\n\r]/g, " ");
    const rows = entries
      .filter((e) => !e.values)
      .map((e) => [e.kind, e.namespace, e.name, e.file, e.resource.urn].map(cell).join("\t"));
    fs.writeFileSync(
      path.join(manifestsDir, OBJECTS_INDEX_FILE),
      ["kind\tnamespace\tname\tfile\turn", ...rows, ""].join("\n"),
    );
    // JSON is YAML: promtool and `npm run check` read these as they read any rule file.
    const rules = ruleFiles(files.resources as RecordedResource[]);
    if (rules.length) fs.mkdirSync(path.join(manifestsDir, RULES_DIR));
    for (const f of rules) {
      fs.writeFileSync(
        path.join(manifestsDir, RULES_DIR, path.basename(f.name)),
        JSON.stringify({ groups: f.groups }, null, 1) + "\n",
      );
    }
  }
  for (const [name, text] of Object.entries(files.derived))
    fs.writeFileSync(path.join(manifestsDir, name), text);
  await writeJsonStreaming(
    path.join(dir, "plan.json"),
    files.plan,
    files.checksDone && { key: "checks", until: files.checksDone },
  );
  return mode;
}
