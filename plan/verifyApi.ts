/**
 * The answers of Prometheus, Alertmanager and Thanos Query as hostile input, for `verify` and `check
 * --prometheus-url`: one timeout over the whole exchange (headers and body), a cap on the body's bytes
 * enforced while it streams, JSON, and each answer's shape checked with zod before anything reads it.
 * Whatever is wrong is an ApiError naming the URL and what was wrong (the key and what was expected).
 */
import { z } from "zod";
import { parseYamlInput } from "../components/inputFile";

/** Bytes one API answer may have: a cluster with 10,000 targets answers /api/v1/targets in ~20 MiB. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** An API that could not be reached, refused us, or answered something that is not its API. */
export class ApiError extends Error {
  constructor(
    readonly url: string,
    why: string,
  ) {
    super(`${url}: ${why}`);
    this.name = "ApiError";
  }
}

export interface Client {
  get(url: string): Promise<unknown>;
  /** POSTs JSON (a test alert); absent in read-only clients. */
  post?(url: string, body: unknown): Promise<void>;
}

/** The body of `res`, read no further than `maxBytes`; ApiError past it. */
export async function cappedBody(res: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new ApiError(url, `answered ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    // Leaving the loop cancels the stream: the rest is never read.
    if (size > maxBytes) throw new ApiError(url, `answered more than the ${maxBytes} bytes allowed`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON client with the credentials from the environment, a timeout per request and a size cap. */
export function httpClient(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 10_000,
  maxBytes = MAX_RESPONSE_BYTES,
): Client {
  const headers: Record<string, string> = { accept: "application/json" };
  if (env.KUBE_MONITORING_VERIFY_TOKEN) headers.authorization = `Bearer ${env.KUBE_MONITORING_VERIFY_TOKEN}`;
  else if (env.KUBE_MONITORING_VERIFY_USER) {
    const basic = Buffer.from(
      `${env.KUBE_MONITORING_VERIFY_USER}:${env.KUBE_MONITORING_VERIFY_PASSWORD ?? ""}`,
    );
    headers.authorization = `Basic ${basic.toString("base64")}`;
  }
  return {
    async post(url, body) {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body?.cancel();
        if (!res.ok) throw new ApiError(url, `HTTP ${res.status}`);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError(url, `cannot connect (${(err as Error).message})`);
      }
    },
    async get(url) {
      let text: string;
      try {
        // The signal bounds the body too: a server that trickles its answer is cut at the timeout.
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        if (res.status === 401 || res.status === 403) {
          await res.body?.cancel();
          throw new ApiError(
            url,
            `${res.status}: not allowed; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD`,
          );
        }
        if (!res.ok) {
          await res.body?.cancel();
          throw new ApiError(url, `HTTP ${res.status}`);
        }
        text = await cappedBody(res, url, maxBytes);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        const e = err as Error & { cause?: { code?: string } };
        if (e.name === "TimeoutError") throw new ApiError(url, `no answer within ${timeoutMs / 1000}s`);
        if (e.message === "terminated" || e.cause?.code === "UND_ERR_SOCKET")
          throw new ApiError(url, "the answer broke off before its end (truncated)");
        throw new ApiError(url, `cannot connect (${e.cause?.code ?? e.message})`);
      }
      try {
        return JSON.parse(text);
      } catch {
        const shown = text.slice(0, 80);
        throw new ApiError(
          url,
          text.trim() === ""
            ? "answered nothing (an empty body)"
            : `answered with something that is not JSON: ${JSON.stringify(shown)}`,
        );
      }
    },
  };
}

const keyPath = (p: readonly PropertyKey[]) =>
  p.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");

/** `body` checked against `schema`; ApiError naming the URL, the key and what was expected. */
export function answerOf<T>(url: string, schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const expected =
    issue.code === "invalid_type"
      ? `expected ${issue.expected}`
      : issue.message.replace(/^Invalid input: /, "");
  throw new ApiError(url, `not ${what}: ${keyPath(issue.path) || "the answer"}: ${expected}`);
}

/** Prometheus' envelope: `{status: "success", data: …}`. */
const prometheus = <T extends z.ZodType>(data: T) => z.looseObject({ status: z.literal("success"), data });

const labels = z.record(z.string(), z.string());

export const ANSWERS = {
  targets: prometheus(
    z.looseObject({
      activeTargets: z.array(
        z.looseObject({
          scrapePool: z.string(),
          health: z.string(),
          lastError: z.string().default(""),
          scrapeUrl: z.string(),
        }),
      ),
    }),
  ),
  rules: prometheus(
    z.looseObject({
      groups: z.array(
        z.looseObject({
          name: z.string(),
          file: z.string(),
          interval: z.number(),
          lastEvaluation: z.string(),
          rules: z.array(
            z.looseObject({
              name: z.string(),
              health: z.string(),
              type: z.string().optional(),
              lastError: z.string().optional(),
            }),
          ),
        }),
      ),
    }),
  ),
  vector: prometheus(z.looseObject({ result: z.array(z.looseObject({ metric: labels })) })),
  stores: prometheus(
    z.record(
      z.string(),
      z.array(z.looseObject({ name: z.string(), lastError: z.string().nullable().default(null) })),
    ),
  ),
  metadata: prometheus(z.record(z.string(), z.array(z.looseObject({ type: z.string() })))),
  strings: prometheus(z.array(z.string())),
  amStatus: z.looseObject({
    config: z.looseObject({ original: z.string().min(1) }),
    cluster: z.looseObject({ peers: z.array(z.unknown()).nullable().optional() }).optional(),
  }),
  amAlerts: z.array(z.looseObject({ status: z.looseObject({ state: z.string() }).optional() })),
  amConfig: z.looseObject({ receivers: z.array(z.looseObject({ name: z.string() })).default([]) }),
} as const;

/** GET `url` and check its answer; `what` names the answer in messages ("a Prometheus targets answer"). */
export async function getAnswer<T>(
  client: Client,
  url: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T> {
  return answerOf(url, schema, await client.get(url), what);
}

/** The receivers of an Alertmanager configuration the server says it loaded (YAML from the server). */
export function loadedReceivers(url: string, original: string): string[] {
  const parsed = parseYamlInput(original);
  if ("problem" in parsed) throw new ApiError(url, `config.original ${parsed.problem}`);
  const config = answerOf(url, ANSWERS.amConfig, parsed.docs[0] ?? {}, "an Alertmanager configuration");
  return config.receivers.map((r) => r.name);
}
