/**
 * Validates every prometheus-operator custom resource in a plan against the operator's CRD schemas,
 * using the classes of @kubernetes-models/prometheus-operator, in a worker thread (plan/crdWorker.mjs):
 * loading the schemas is most of the cost, and the thread does it on another core while the program
 * runs (startCrdValidation). One thread per process, kept for the next plan (the specs plan many).
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { RecordedResource } from "./runtime";

const GROUP = "monitoring.coreos.com";

/** The kinds the program makes (a spec holds the fixture plans to it): loaded before they are asked for. */
export const EXPECTED_KINDS: readonly (readonly [version: string, kind: string])[] = [
  ["v1", "PrometheusRule"],
  ["v1", "ServiceMonitor"],
  ["v1", "PodMonitor"],
  ["v1", "Probe"],
  ["v1alpha1", "AlertmanagerConfig"],
];

export interface SchemaProblem {
  urn: string;
  kind: string;
  message: string;
}

type Answer = { id: number; problems: SchemaProblem[] } | { id: number; error: string };

let thread: { worker: Worker; waiting: Map<number, (answer: Answer) => void> } | undefined;
let nextId = 0;

/** The check's thread, started when first asked for; it keeps no process alive while it has no work. */
function checker() {
  if (thread) return thread;
  const worker = new Worker(path.join(__dirname, "crdWorker.mjs"), {
    workerData: { expected: EXPECTED_KINDS },
    // Not the parent's `-r ./plan/register.js`: the thread runs JavaScript only.
    execArgv: [],
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
  worker.on("exit", (code) => fail(`the schema check's thread stopped (exit code ${code})`));
  worker.unref();
  thread = own;
  return own;
}

/** Starts loading the schemas now, for a plan that will ask once its program is done. */
export function startCrdValidation(): void {
  checker();
}

/** Every prometheus-operator custom resource that does not match its CRD schema, with why. */
export async function validateCustomResources(resources: RecordedResource[]): Promise<SchemaProblem[]> {
  const custom = resources.flatMap((r) => {
    const { apiVersion, kind } = r.inputs;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion.startsWith(`${GROUP}/`))
      return [];
    return [{ urn: r.urn, version: apiVersion.slice(GROUP.length + 1), kind, inputs: r.inputs }];
  });
  if (!custom.length) return [];
  const { worker, waiting } = checker();
  const id = nextId++;
  const answer = await new Promise<Answer>((resolve) => {
    waiting.set(id, resolve);
    worker.ref();
    try {
      worker.postMessage({ id, resources: custom });
    } catch (err) {
      waiting.delete(id);
      if (!waiting.size) worker.unref();
      resolve({ id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  if ("error" in answer)
    throw new Error(`checking custom resources against their CRD schemas: ${answer.error}`);
  return answer.problems;
}
