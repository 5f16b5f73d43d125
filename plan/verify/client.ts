/** The HTTP side of verify: credentials from the environment, a timeout, and API errors naming the URL. */
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

/** A JSON client with the credentials from the environment and a timeout per request. */
export function httpClient(env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Client {
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
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new ApiError(url, `cannot connect (${(err as Error).message})`);
      }
      if (!res.ok) throw new ApiError(url, `HTTP ${res.status}`);
    },
    async get(url) {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        const timedOut = (err as Error).name === "TimeoutError";
        throw new ApiError(
          url,
          timedOut
            ? `no answer within ${timeoutMs / 1000}s`
            : `cannot connect (${cause ?? (err as Error).message})`,
        );
      }
      if (res.status === 401 || res.status === 403) {
        throw new ApiError(
          url,
          `${res.status}: not allowed; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD`,
        );
      }
      if (!res.ok) throw new ApiError(url, `HTTP ${res.status}`);
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError(
          url,
          `answered with something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
        );
      }
    },
  };
}

export const join = (base: string, p: string) => `${base.replace(/\/$/, "")}${p}`;

/** Prometheus' `data` from an API answer, or an ApiError naming the URL. */
export async function promData<T>(client: Client, url: string): Promise<T> {
  const body = (await client.get(url)) as { status?: string; data?: T; error?: string };
  if (!body || typeof body !== "object" || !("data" in body))
    throw new ApiError(url, "not a Prometheus API answer");
  return body.data as T;
}

export async function query(
  client: Client,
  base: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value?: [number, string] }[]> {
  const data = await promData<{ result: { metric: Record<string, string>; value?: [number, string] }[] }>(
    client,
    join(base, `/api/v1/query?query=${encodeURIComponent(expr)}`),
  );
  return data.result ?? [];
}
