/** The HTTP side of verify: credentials from the environment, a timeout, and API errors naming the URL. */
// The client itself (credentials, one timeout per exchange, a capped body) is verifyApi's.
import { ANSWERS, Client, getAnswer } from "../verifyApi";
export { ApiError, httpClient, type Client } from "../verifyApi";

export const join = (base: string, p: string) => `${base.replace(/\/$/, "")}${p}`;

export async function query(
  client: Client,
  base: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value?: [number, string] }[]> {
  const url = join(base, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  const answer = await getAnswer(client, url, ANSWERS.vector, "a Prometheus query answer");
  return answer.data.result as { metric: Record<string, string>; value?: [number, string] }[];
}
