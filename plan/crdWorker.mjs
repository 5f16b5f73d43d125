// The CRD schema check's worker thread (plan/crdValidation.ts starts it): validates prometheus-operator
// custom resources with the classes of @kubernetes-models/prometheus-operator, which are ESM-only. Plain
// JavaScript, so that the thread needs no TypeScript loader. Loading the schemas (a WebAssembly RE2 for
// their patterns, a few hundred modules) costs more than checking a plan: the thread loads the kinds
// it is told to expect as it starts, while the plan's program runs on the main thread, and keeps them.
import { parentPort, workerData } from "node:worker_threads";

const GROUP = "monitoring.coreos.com";
const loaded = new Map();

function modelClass(version, kind) {
  const key = `${version}/${kind}`;
  if (!loaded.has(key)) {
    loaded.set(
      key,
      import(`@kubernetes-models/prometheus-operator/${GROUP}/${version}/${kind}`).then((m) => m[kind]),
    );
  }
  return loaded.get(key);
}

// A kind that fails to load fails the check that meets it, with the loader's message.
for (const [version, kind] of workerData?.expected ?? []) modelClass(version, kind).catch(() => undefined);

/** Problems of `resources` ({ urn, version, kind, inputs }, custom resources of the group only). */
async function validate(resources) {
  const problems = [];
  for (const r of resources) {
    const Model = await modelClass(r.version, r.kind);
    try {
      new Model(r.inputs).validate();
    } catch (err) {
      problems.push({ urn: r.urn, kind: r.kind, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}

parentPort?.on("message", ({ id, resources }) => {
  validate(resources).then(
    (problems) => parentPort.postMessage({ id, problems }),
    (err) => parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
