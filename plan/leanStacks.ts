/**
 * The Pulumi SDK captures a stack trace for every promise it creates and every resource it registers;
 * under the project's loader each trace is also source-mapped. For the offline plan of a large estate
 * that was half of the run time. Command-line entry points call this before planning: V8's own
 * formatting and a short stack keep the traces cheap (the SDK sets its own limit where it needs source
 * positions).
 * KUBE_MONITORING_DEBUG=1 keeps full, source-mapped traces for debugging. Process-wide, so never called
 * from code a test imports.
 */
export function useLeanStackTraces(): void {
  if (process.env.KUBE_MONITORING_DEBUG) return;
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  Error.stackTraceLimit = 0;
}

/**
 * Lean traces while `work` runs, then the process's own settings again: for planning inside a process
 * that keeps full traces (the tests).
 */
export async function withLeanStackTraces<T>(work: () => Promise<T>): Promise<T> {
  // oxlint-disable-next-line typescript/unbound-method -- saved to be put back as it was, never called here
  const saved = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
  useLeanStackTraces();
  try {
    return await work();
  } finally {
    Error.stackTraceLimit = saved.limit;
    Error.prepareStackTrace = saved.prepare;
  }
}
