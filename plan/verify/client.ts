/** The HTTP side of verify: credentials from the environment, a timeout, and API errors naming the URL. */
// The client itself (credentials, one timeout per exchange, a capped body) is verifyApi's.
import { ANSWERS, ApiError, Client, getAnswer } from "../verifyApi";
export { ApiError, httpClient, type Client } from "../verifyApi";

export const join = (base: string, p: string) => `${base.replace(/\/$/, "")}${p}`;

/** Prometheus' `data` from an API answer (its envelope checked), or an ApiError naming the URL. */
export async function promData<T>(client: Client, url: string): Promise<T> {
  const body = (await client.get(url)) as { status?: unknown; data?: unknown };
  if (
    !body ||
    typeof body !== "object" ||
    body.status !== "success" ||
    body.data === null ||
    typeof body.data !== "object"
  ) {
    throw new ApiError(url, "not a Prometheus API answer: expected {status: success, data: {…}}");
  }
  return body.data as T;
}

export async function query(
  client: Client,
  base: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value?: [number, string] }[]> {
  const url = join(base, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  const answer = await getAnswer(client, url, ANSWERS.vector, "a Prometheus query answer");
  return answer.data.result as { metric: Record<string, string>; value?: [number, string] }[];
}
