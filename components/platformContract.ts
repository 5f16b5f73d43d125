/**
 * What the platform stack tells team stacks, as one versioned output (`platformContract`): where the
 * monitoring lives and what a team's monitors, rules and routing need to be picked up. A team stack
 * reads it through a StackReference and refuses a version it does not understand.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError } from "./config";
import { monitorSelectors } from "./kubePrometheusStack/names";

/** Raised when the platform's contract changes shape; team stacks understand exactly this version. */
export const PLATFORM_CONTRACT_VERSION = 1;

export const platformContractSchema = z.object({
  version: z.number(),
  namespace: z.string().min(1),
  clusterName: z.string().min(1),
  selectors: z.record(z.string(), z.unknown()),
  /** The blackbox exporter's prober URL, when the platform runs one. */
  proberUrl: z.string().optional(),
  runbookBaseUrl: z.string().optional(),
  /** How the Alertmanager scopes each namespace's AlertmanagerConfig. */
  alertmanagerConfigMatcherStrategy: z.string(),
});
export type PlatformContract = z.infer<typeof platformContractSchema>;

/** The contract the platform stack exports. */
export function platformContractOutput(input: {
  namespace: pulumi.Input<string>;
  clusterName: string;
  proberUrl?: pulumi.Input<string>;
  runbookBaseUrl?: string;
}): pulumi.Output<PlatformContract> {
  return pulumi.all([input.namespace, input.proberUrl]).apply(([namespace, proberUrl]) => ({
    version: PLATFORM_CONTRACT_VERSION,
    namespace,
    clusterName: input.clusterName,
    selectors: monitorSelectors as unknown as Record<string, unknown>,
    ...(proberUrl ? { proberUrl } : {}),
    ...(input.runbookBaseUrl ? { runbookBaseUrl: input.runbookBaseUrl } : {}),
    alertmanagerConfigMatcherStrategy: "OnNamespace",
  }));
}

/**
 * The platform's contract as a team stack reads it, or a ConfigError saying what is wrong: no
 * contract (a platform older than team stacks, or not deployed), another version, or a broken one.
 */
export function parsePlatformContract(
  stack: string,
  platformStack: string,
  value: unknown,
): PlatformContract {
  const where = `${stack}: platformStack ${platformStack}`;
  if (value === undefined || value === null) {
    throw new ConfigError([
      `${where}: exports no platformContract; deploy a platform stack of a kube-monitoring version with team stacks first`,
    ]);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== PLATFORM_CONTRACT_VERSION) {
    const newer = typeof version === "number" && version > PLATFORM_CONTRACT_VERSION;
    throw new ConfigError([
      `${where}: exports platformContract version ${JSON.stringify(version)}; this team stack understands ` +
        `version ${PLATFORM_CONTRACT_VERSION}: ${newer ? "update this team stack's kube-monitoring" : "update the platform stack first"}`,
    ]);
  }
  const parsed = platformContractSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${where}: platformContract.${i.path.join(".")}: ${i.message}`),
    );
  }
  return parsed.data;
}
