/**
 * `/api/v1/query_range`, bounded: a timeout per request (also passed to Prometheus), a cap on the
 * response's bytes, a cap on the series one query may return, and ranges split so no request asks for
 * more than Prometheus' 11,000 points per series. Credentials come from the environment as `verify`
 * takes them. A server that cannot be reached, refuses us, or answers something that is not the API is an
 * ApiError naming the URL (never with credentials in it: URLs carrying them are refused up front).
 */
import { ApiError } from "../verify";
import type { Grid } from "./episodes";

export { ApiError };

export interface QueryLimits {
  /** Series one query may return. */
  readonly maxSeries: number;
  readonly timeoutMs: number;
  /** Bytes one response may have. */
  readonly maxResponseBytes: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxSeries: 500,
  timeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

/** Points per series per request: under Prometheus' limit of 11,000. */
const MAX_POINTS = 10_000;

/** An expression the server answered about, but that the backtest cannot use (an error, too many series). */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

export interface Series {
  readonly labels: Record<string, string>;
  /** Evaluation times (ms) at which the expression returned the series. */
  readonly times: Set<number>;
}

export type Fetcher = (url: string) => Promise<{ status: number; body: string }>;

/** Authorization from KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, as `npm run verify` reads it. */
export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.KUBE_MONITORING_VERIFY_TOKEN)
    return { authorization: `Bearer ${env.KUBE_MONITORING_VERIFY_TOKEN}` };
  if (env.KUBE_MONITORING_VERIFY_USER) {
    const basic = Buffer.from(
      `${env.KUBE_MONITORING_VERIFY_USER}:${env.KUBE_MONITORING_VERIFY_PASSWORD ?? ""}`,
    );
    return { authorization: `Basic ${basic.toString("base64")}` };
  }
  return {};
}

/** A fetcher with the credentials, the timeout and the size cap. */
export function httpFetcher(limits: QueryLimits, env: NodeJS.ProcessEnv = process.env): Fetcher {
  const headers = { accept: "application/json", ...authHeaders(env) };
  return async (url) => {
    // Named without the query: the URL the user gave, not a page of PromQL.
    const shown = url.split("?")[0];
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(limits.timeoutMs) });
      const declared = Number(res.headers.get("content-length") ?? 0);
      if (declared > limits.maxResponseBytes) {
        await res.body?.cancel();
        throw new ApiError(
          shown,
          `answered ${declared} bytes, more than the ${limits.maxResponseBytes} allowed`,
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body ?? []) {
        size += (chunk as Uint8Array).byteLength;
        if (size > limits.maxResponseBytes) {
          // Leaving the loop cancels the stream.
          throw new QueryError(`answered more than the ${limits.maxResponseBytes} bytes allowed per query`);
        }
        chunks.push(Buffer.from(chunk as Uint8Array));
      }
      return { status: res.status, body: Buffer.concat(chunks).toString("utf8") };
    } catch (err) {
      if (err instanceof ApiError || err instanceof QueryError) throw err;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      throw new ApiError(
        shown,
        e.name === "TimeoutError"
          ? `no answer within ${limits.timeoutMs / 1000}s`
          : `cannot connect (${e.cause?.code ?? e.cause?.message ?? e.message})`,
      );
    }
  };
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** The matrix of one answer, checked for shape; ApiError when it is not the API's, QueryError for errors. */
export function parseAnswer(url: string, status: number, body: string, maxSeries: number) {
  if (status === 401 || status === 403)
    throw new ApiError(
      url,
      `${status}: not allowed; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD`,
    );
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(url, `HTTP ${status}, and not JSON: ${JSON.stringify(body.slice(0, 80))}`);
  }
  if (!isObject(json) || (json.status !== "success" && json.status !== "error"))
    throw new ApiError(url, `HTTP ${status}, not a Prometheus API answer (no "status")`);
  if (json.status === "error") {
    // Bad data, an execution error or the query's own timeout are about the query; the rest is the server's.
    const why = `${String(json.errorType ?? "error")}: ${String(json.error ?? "")}`.slice(0, 300);
    if (status === 400 || status === 422 || json.errorType === "timeout" || json.errorType === "canceled")
      throw new QueryError(why);
    throw new ApiError(url, `HTTP ${status}, ${why}`);
  }
  const data = json.data;
  if (!isObject(data) || data.resultType !== "matrix" || !Array.isArray(data.result))
    throw new ApiError(url, 'not a range query answer (expected data.resultType "matrix" and data.result)');
  if (data.result.length > maxSeries)
    throw new QueryError(
      `returned ${data.result.length} series, more than the ${maxSeries} allowed per query`,
    );
  return data.result.map((s, i) => {
    const where = `data.result[${i}]`;
    if (!isObject(s) || !isObject(s.metric) || !Array.isArray(s.values))
      throw new ApiError(url, `${where}: expected {metric, values}`);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.metric)) {
      if (typeof v !== "string") throw new ApiError(url, `${where}.metric.${k}: expected a string`);
      labels[k] = v;
    }
    const times: number[] = s.values.map((p, j) => {
      if (!Array.isArray(p) || typeof p[0] !== "number" || !Number.isFinite(p[0]) || typeof p[1] !== "string")
        throw new ApiError(url, `${where}.values[${j}]: expected [seconds, "value"]`);
      return Math.round(p[0] * 1000);
    });
    return { labels, times };
  });
}

/** Every series the expression returns on the grid, over as many requests as the grid needs. */
export async function queryRange(
  fetcher: Fetcher,
  base: string,
  expr: string,
  grid: Grid,
  limits: QueryLimits,
): Promise<Series[]> {
  const bySeries = new Map<string, Series>();
  const chunkMs = grid.stepMs * MAX_POINTS;
  for (let from = grid.startMs; from <= grid.endMs; from += chunkMs) {
    const to = Math.min(from + chunkMs - grid.stepMs, grid.endMs);
    const params = new URLSearchParams({
      query: expr,
      start: String(from / 1000),
      end: String(to / 1000),
      step: String(grid.stepMs / 1000),
      timeout: `${Math.ceil(limits.timeoutMs / 1000)}s`,
    });
    const url = `${base.replace(/\/$/, "")}/api/v1/query_range?${params.toString()}`;
    const { status, body } = await fetcher(url);
    const shownUrl = `${base.replace(/\/$/, "")}/api/v1/query_range`;
    for (const s of parseAnswer(shownUrl, status, body, limits.maxSeries)) {
      const key = JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)));
      if (!bySeries.has(key)) bySeries.set(key, { labels: s.labels, times: new Set() });
      for (const t of s.times) bySeries.get(key)!.times.add(t);
    }
    if (bySeries.size > limits.maxSeries)
      throw new QueryError(`returned more than the ${limits.maxSeries} series allowed per query`);
  }
  return [...bySeries.values()];
}
