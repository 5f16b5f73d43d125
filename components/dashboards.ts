/**
 * Grafana dashboards as code: the `dashboards/` folder (JSON files, one subfolder per Grafana folder),
 * checked before anything is deployed, and the stack's own dashboards, built here.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputFileError, SIZE_CAPS, readInputFile } from "./inputFile";

/** A datasource Grafana is provisioned with: what a dashboard may refer to. */
export interface Datasource {
  readonly name: string;
  readonly uid: string;
}

/** The datasources the stack provisions: the chart's Prometheus and Alertmanager, and Thanos Query. */
export function provisionedDatasources(thanos: boolean): Datasource[] {
  return [
    { name: "Prometheus", uid: "prometheus" },
    { name: "Alertmanager", uid: "alertmanager" },
    ...(thanos ? [{ name: "Thanos", uid: "thanos" }] : []),
  ];
}

/** Grafana's own pseudo-datasources, which every instance has. */
const BUILT_IN_DATASOURCES = ["-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana"];

/** One dashboard to provision: the Grafana folder it goes into and its JSON model. */
export interface Dashboard {
  readonly folder: string;
  /** Where it came from: `dashboards/<folder>/<file>.json`, or the builder that made it. */
  readonly source: string;
  readonly uid: string;
  readonly title: string;
  readonly model: Record<string, unknown>;
}

/** A file of the dashboards folder: its path relative to the project root, and its text or why not. */
export interface DashboardFile {
  readonly path: string;
  readonly text: string;
  /** Why the file could not be read (outside the project, not a regular file, too large). */
  readonly problem?: string;
}

/** Grafana's limit on a uid. */
export const MAX_UID_LENGTH = 40;

/**
 * A uid from a longer name: the name when it fits Grafana's 40 characters, else its first 31 and a
 * short hash of the whole, so two names that share 40 characters keep apart.
 */
export function dashboardUid(name: string): string {
  if (name.length <= MAX_UID_LENGTH) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_UID_LENGTH - hash.length - 1)}-${hash}`;
}

/** A ConfigMap name for a dashboard uid: lower case, `_` as `-`. */
export const dashboardConfigMapName = (uid: string) => `dashboard-${uid.toLowerCase().replaceAll("_", "-")}`;

/** Kubernetes refuses a ConfigMap whose data exceed 1 MiB (keys and values together). */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** The bytes of a dashboard's ConfigMap data, as GrafanaDashboards writes it. */
export const dashboardConfigMapBytes = (uid: string, model: unknown) =>
  Buffer.byteLength(`${uid}.json`) + Buffer.byteLength(JSON.stringify(model, null, 2));

const UID = /^[A-Za-z0-9_-]{1,40}$/;
const TEMPLATE_VARIABLE = /^\$\{?[A-Za-z0-9_]+\}?$/;

/** Every `datasource` value in a dashboard model, wherever it appears (panels, targets, variables). */
function datasourceRefs(node: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => datasourceRefs(n, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "datasource" && value !== null) found.push(value);
      else datasourceRefs(value, found);
    }
  }
  return found;
}

/** Why `ref` does not resolve to a provisioned datasource, or undefined when it does. */
function unresolved(ref: unknown, datasources: readonly Datasource[]): string | undefined {
  if (typeof ref === "string") {
    if (TEMPLATE_VARIABLE.test(ref) || BUILT_IN_DATASOURCES.includes(ref)) return undefined;
    if (datasources.some((d) => d.name === ref || d.uid === ref)) return undefined;
    return `datasource ${JSON.stringify(ref)} is not provisioned`;
  }
  const uid = (ref as { uid?: unknown }).uid;
  if (uid === undefined) return undefined; // { type } alone: Grafana uses the default of that type
  if (typeof uid === "string" && (TEMPLATE_VARIABLE.test(uid) || BUILT_IN_DATASOURCES.includes(uid)))
    return undefined;
  if (datasources.some((d) => d.uid === uid)) return undefined;
  return `datasource uid ${JSON.stringify(uid)} is not provisioned`;
}

/**
 * Reads the dashboards folder's files into dashboards, or says what is wrong with each, naming the
 * file: not under a folder, not JSON, no `uid` or `title`, a uid used twice (here or by `reserved`), a
 * datasource Grafana will not have. `datasources` names those provisioned (by name or uid).
 */
export function loadDashboards(
  files: readonly DashboardFile[],
  datasources: readonly Datasource[],
  reserved: readonly Pick<Dashboard, "uid" | "source">[] = [],
): { dashboards: Dashboard[]; problems: string[] } {
  const problems: string[] = [];
  const dashboards: Dashboard[] = [];
  const seen = new Map<string, string>();
  // ConfigMap names fold case and `_`: `Api_x` and `api-x` would be one ConfigMap.
  const configMaps = new Map<string, string>();
  for (const d of reserved) {
    const clash = seen.get(d.uid) ?? configMaps.get(dashboardConfigMapName(d.uid));
    if (clash) problems.push(`${d.source}: uid ${JSON.stringify(d.uid)} is also the uid of ${clash}`);
    seen.set(d.uid, d.source);
    configMaps.set(dashboardConfigMapName(d.uid), d.source);
  }
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = file.path.split(/[\\/]/);
    const problem = (text: string) => problems.push(`${file.path}: ${text}`);
    if (file.problem) {
      problem(file.problem);
      continue;
    }
    if (parts.length !== 3 || !file.path.endsWith(".json")) {
      problem("must be dashboards/<Grafana folder>/<name>.json");
      continue;
    }
    let model: unknown;
    try {
      model = JSON.parse(file.text);
    } catch (err) {
      problem(`is not JSON: ${(err as Error).message}`);
      continue;
    }
    if (!model || typeof model !== "object" || Array.isArray(model)) {
      problem("is not a dashboard (a JSON object)");
      continue;
    }
    const { uid, title } = model as { uid?: unknown; title?: unknown };
    const before = problems.length;
    if (typeof uid !== "string" || !UID.test(uid)) {
      problem("needs a uid: 1 to 40 letters, digits, - or _ (Grafana's limit), fixed so links survive");
    } else if (seen.has(uid) || configMaps.has(dashboardConfigMapName(uid))) {
      const other = seen.get(uid) ?? configMaps.get(dashboardConfigMapName(uid));
      problem(
        seen.has(uid)
          ? `uid ${JSON.stringify(uid)} is also the uid of ${other}`
          : `uid ${JSON.stringify(uid)} differs from the uid of ${other} only in case or - and _, and would share its ConfigMap`,
      );
    } else if (dashboardConfigMapBytes(uid, model) > MAX_CONFIGMAP_BYTES) {
      problem(
        `its ConfigMap would hold ${dashboardConfigMapBytes(uid, model)} bytes; Kubernetes allows ${MAX_CONFIGMAP_BYTES} (1 MiB): split the dashboard`,
      );
    }
    if (typeof title !== "string" || !title.trim()) problem("needs a title");
    for (const ref of datasourceRefs(model)) {
      const why = unresolved(ref, datasources);
      if (why)
        problem(`${why}; provisioned: ${datasources.map((d) => `${d.name} (uid ${d.uid})`).join(", ")}`);
    }
    if (problems.length > before) continue;
    seen.set(uid as string, file.path);
    configMaps.set(dashboardConfigMapName(uid as string), file.path);
    dashboards.push({
      folder: parts[1],
      source: file.path,
      uid: uid as string,
      title: title as string,
      model: model as Record<string, unknown>,
    });
  }
  return { dashboards, problems };
}

/**
 * Reads every file under `root` (the project's dashboards/), with paths relative to `base`: each a
 * regular file inside `base` once symlinks are followed, at most SIZE_CAPS.dashboard, or a problem.
 */
export function readDashboardFiles(root: string, base: string): DashboardFile[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && !entry.name.endsWith(".md"))
    .map((entry) => {
      const p = path.join(entry.parentPath, entry.name);
      const shown = path.relative(base, p).split(path.sep).join("/");
      try {
        return {
          path: shown,
          text: readInputFile(p, { maxBytes: SIZE_CAPS.dashboard, within: base, shown }),
        };
      } catch (err) {
        if (!(err instanceof InputFileError)) throw err;
        return { path: shown, text: "", problem: err.reason };
      }
    });
}

/** A time-series or stat panel on one datasource; `index` lays panels out two to a row. */
export function panel(
  index: number,
  title: string,
  unit: string,
  targets: { expr: string; legendFormat: string }[],
  datasource: string,
  type: "timeseries" | "stat" = "timeseries",
) {
  return {
    id: index,
    title,
    type,
    datasource: { type: "prometheus", uid: datasource },
    fieldConfig: { defaults: { unit } },
    gridPos: { h: 8, w: 12, x: ((index - 1) % 2) * 12, y: Math.floor((index - 1) / 2) * 8 },
    targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })),
  };
}

/** The dashboard model around `panels`. */
export function dashboardModel(
  uid: string,
  title: string,
  tags: string[],
  panels: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    uid,
    title,
    tags,
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    ...extra,
    panels,
  };
}
