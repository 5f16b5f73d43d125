/**
 * The Pulumi SDK captures a stack trace for every promise it creates and every resource it registers;
 * under ts-node each trace is also source-mapped. For the offline plan of a large estate that was half
 * of the run time. Command-line entry points import this first: V8's own formatting and a short stack
 * keep the traces cheap (the SDK sets its own limit where it needs source positions). KUBE_MONITORING_DEBUG=1 keeps full, source-mapped traces for debugging.
 */
if (!process.env.KUBE_MONITORING_DEBUG) {
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  Error.stackTraceLimit = 0;
}
export {};
