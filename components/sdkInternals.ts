/**
 * The one place that reaches into the Pulumi SDK beyond its typings:
 * - `isConfigSecret`, which the SDK implements in its runtime config module but leaves out of the
 *   published types; if a new SDK moves or drops it, this throws rather than treating every credential
 *   as plain text (or as secret);
 * - the mock monitor's registration hook and resource map, which the offline plan records from.
 * Each checks the shape it relies on and throws, naming this file, when the SDK changes it.
 * tests/sdkInternals.spec.ts checks the contract against the installed SDK.
 */
import * as pulumi from "@pulumi/pulumi";

type RuntimeConfigModule = { isConfigSecret?: (key: string) => boolean };

export function isConfigSecret(key: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as RuntimeConfigModule;
  if (typeof runtimeConfig.isConfigSecret !== "function") {
    throw new Error(
      "@pulumi/pulumi no longer exports runtime/config.isConfigSecret: kube-monitoring cannot tell secret " +
        "config from plain config; update components/sdkInternals.ts for this SDK version",
    );
  }
  return runtimeConfig.isConfigSecret(key);
}

/** The parts of a RegisterResourceRequest (the SDK's protobuf message) the offline plan records. */
export interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type MockEntry = { urn: string; id: string | null; state: unknown };

/** Keeps only the URN and id of each mocked resource: the plan never reads their state back. */
class LeanResourceMap extends Map<string, MockEntry> {
  override set(urn: string, entry: MockEntry) {
    return super.set(urn, { urn: entry.urn, id: entry.id, state: {} });
  }
}

type MockMonitor = {
  resources?: unknown;
  registerResource?: (req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => unknown;
};

const REQUEST_GETTERS = [
  "getType",
  "getName",
  "getParent",
  "getCustom",
  "getDependenciesList",
  "getProtect",
  "getRetainondelete",
  "getObject",
] as const;

function changed(what: string): Error {
  return new Error(
    `@pulumi/pulumi changed its mock monitor (${what}): the offline plan cannot record resources; ` +
      "update components/sdkInternals.ts for this SDK version",
  );
}

/**
 * Calls `record` with every registration the mock monitor (after `pulumi.runtime.setMocks`) receives,
 * and trims the monitor's own copy of each resource's state.
 */
export function onMockRegistration(record: (req: RegisterRequest) => void): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor | undefined;
  if (!monitor || !(monitor.resources instanceof Map) || typeof monitor.registerResource !== "function") {
    throw changed("no resources map or registerResource");
  }
  monitor.resources = new LeanResourceMap();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const missing = REQUEST_GETTERS.filter(
      (g) => typeof (req as unknown as Record<string, unknown>)[g] !== "function",
    );
    if (missing.length) throw changed(`a registration request without ${missing.join(", ")}`);
    record(req);
    return register(req, cb);
  };
}
