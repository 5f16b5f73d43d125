// The offline plan's helper thread (plan/planThread.ts starts it), beside the main thread that runs the
// program and the policies. Plain JavaScript, so that it needs no TypeScript loader. It does two things
// the main thread would otherwise wait for:
// - checks prometheus-operator custom resources with the classes of @kubernetes-models/prometheus-operator
//   (ESM-only). Loading their schemas (a WebAssembly RE2 for their patterns, a few hundred modules) costs
//   more than checking a plan, so the kinds it is told to expect start loading as the plan starts, while
//   the program runs, and stay loaded for the next plan;
// - starts promtool and amtool: starting a process blocks the starting thread until the child has
//   replaced itself with the tool, which takes tens of milliseconds from a process of a few hundred
//   megabytes, more on a busy machine.
import { spawn } from "node:child_process";
import { parentPort } from "node:worker_threads";

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

/** Starts loading the kinds' schemas; a kind that fails to load fails the check that meets it. */
function preload(kinds) {
  for (const [version, kind] of kinds) modelClass(version, kind).catch(() => undefined);
  return Promise.resolve(null);
}

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

/** The longest one run of promtool or amtool may take: minutes beyond what 1000 apps' rules need. */
const TOOL_TIMEOUT_MS = 300_000;

/** Runs `command` to completion: its exit status (null when it did not start) and output, both streams. */
function run(command, args) {
  return new Promise((resolve) => {
    let output = "";
    let settled = false;
    const settle = (status, text) => {
      if (!settled) resolve({ status, output: text });
      settled = true;
    };
    // No input (a tool that waits for some would hang the plan), and a bound on any one run.
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: TOOL_TIMEOUT_MS });
    child.stdout.on("data", (d) => (output += String(d)));
    child.stderr.on("data", (d) => (output += String(d)));
    child.on("error", (err) => settle(null, err.message));
    child.on("close", (status, signal) =>
      settle(
        status,
        signal && status === null
          ? `${output}${command} did not finish within ${TOOL_TIMEOUT_MS / 1000} s (${signal})`
          : output,
      ),
    );
  });
}

parentPort?.on("message", ({ id, task }) => {
  const work =
    task.kind === "validate"
      ? validate(task.resources)
      : task.kind === "preload"
        ? preload(task.kinds)
        : run(task.command, task.args);
  work.then(
    (result) => parentPort.postMessage({ id, result }),
    (err) => parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
