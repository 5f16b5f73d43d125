/**
 * The offline plan's helper thread (plan/planThread.mjs): checks custom resources against their CRD
 * schemas and starts promtool and amtool, beside the main thread. One per process, started when first
 * asked for and kept for the next plan (the specs plan many); it keeps no process alive while idle.
 */
import * as path from "node:path";
import { SHARE_ENV, Worker } from "node:worker_threads";

export type ThreadTask =
  | { kind: "preload"; kinds: readonly (readonly [version: string, kind: string])[] }
  | {
      kind: "validate";
      resources: { urn: string; version: string; kind: string; inputs: Record<string, unknown> }[];
    }
  | { kind: "run"; command: string; args: string[] };

type Answer = { id: number; result: unknown } | { id: number; error: string };

let thread: { worker: Worker; waiting: Map<number, (answer: Answer) => void> } | undefined;
let nextId = 0;

function planThread() {
  if (thread) return thread;
  const worker = new Worker(path.join(__dirname, "planThread.mjs"), {
    // Not the parent's `-r ./plan/register.js`: the thread runs JavaScript only.
    execArgv: [],
    // The tools it starts see PATH, PROMTOOL and AMTOOL as the main thread has them now.
    env: SHARE_ENV,
  });
  const own = { worker, waiting: new Map<number, (answer: Answer) => void>() };
  const fail = (message: string) => {
    if (thread === own) thread = undefined;
    for (const [id, answer] of own.waiting) answer({ id, error: message });
    own.waiting.clear();
  };
  worker.on("message", (answer: Answer) => {
    own.waiting.get(answer.id)?.(answer);
    own.waiting.delete(answer.id);
    if (!own.waiting.size) worker.unref();
  });
  worker.on("error", (err) => fail(err.message));
  worker.on("exit", (code) => fail(`the plan's helper thread stopped (exit code ${code})`));
  worker.unref();
  thread = own;
  return own;
}

/** What the thread answers for `task`; rejects with its error. */
export async function askPlanThread<T>(task: ThreadTask): Promise<T> {
  const { worker, waiting } = planThread();
  const id = nextId++;
  const answer = await new Promise<Answer>((resolve) => {
    waiting.set(id, resolve);
    worker.ref();
    try {
      worker.postMessage({ id, task });
    } catch (err) {
      waiting.delete(id);
      if (!waiting.size) worker.unref();
      resolve({ id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  if ("error" in answer) throw new Error(answer.error);
  return answer.result as T;
}
