/**
 * What the platform stack tells team stacks, as one versioned output (`platformContract`): where the
 * monitoring lives and what a team's monitors, rules and routing need to be picked up. A team stack
 * reads it through a StackReference and refuses a version it does not understand.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError } from "./configError";
import { namespacePrefix } from "./schema";
import { dnsLabel, urlCarriesCredentials } from "./schemaPrimitives";
import { monitorSelectors } from "./kubePrometheusStack/names";
import { Ownership, PLATFORM_OWNER } from "./ownership";
import type { Locate } from "./configLocation";

/** Raised when the platform's contract changes shape; team stacks understand exactly this version. */
export const PLATFORM_CONTRACT_VERSION = 3;

/** `<service>.<namespace>.svc:<port>`: what a Probe's prober.url takes; no scheme, path or credentials. */
const proberUrl = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.svc:[1-9][0-9]{0,4}$/, {
    error: "expected <service>.<namespace>.svc:<port> (in-cluster, no scheme, path or credentials)",
  })
  .refine((u) => Number(/\.svc:(\d+)$/.exec(u)?.[1] ?? 0) <= 65535, { error: "the port is above 65535" });

/** Where runbooks live: https, without credentials (alerts carry it to every receiver). */
const runbookBaseUrl = z
  .url({ protocol: /^https$/, error: "expected an https URL" })
  .refine((u) => !urlCarriesCredentials(u), { error: "must not carry credentials" });

const label = z
  .string()
  .regex(/^[A-Za-z0-9._/-]{1,317}$/, { error: "expected a Kubernetes label key or value" });

/**
 * The contract as a team stack reads it: input from another stack, so every field is parsed for what
 * the team stack does with it (no field passes through unchecked).
 */
export const platformContractSchema = z.strictObject({
  version: z.int(),
  /** The platform's environment: a team stack that does not name its own takes this one (version 3). */
  environment: z.enum(["dev", "prod"]),
  namespace: dnsLabel,
  clusterName: dnsLabel,
  selectors: z.record(
    z.string().regex(/^[A-Za-z]{1,63}$/, { error: "expected a selector name" }),
    z.strictObject({
      labels: z.record(label, label),
      namespaces: z.literal("all"),
      except: label.optional(),
    }),
  ),
  /** The blackbox exporter's prober URL, when the platform runs one. */
  proberUrl: proberUrl.optional(),
  runbookBaseUrl: runbookBaseUrl.optional(),
  /** How the Alertmanager scopes each namespace's AlertmanagerConfig. */
  alertmanagerConfigMatcherStrategy: z.enum(["OnNamespace"]),
  /** Namespaces the platform owns: no team stack may use them. */
  platformNamespaces: z.array(dnsLabel).max(10_000),
  /** Each registered team's claim: the namespaces starting with its prefix are the team's. */
  teams: z.array(z.strictObject({ name: dnsLabel, namespacePrefix })).max(10_000),
  /** The platform stack's own apps: a team stack neither reuses their names nor their routed namespaces. */
  apps: z
    .array(
      z.strictObject({
        name: dnsLabel,
        namespace: dnsLabel,
        team: dnsLabel.optional(),
        routed: z.boolean(),
      }),
    )
    .max(10_000),
});
export type PlatformContract = z.infer<typeof platformContractSchema>;

/** The contract the platform stack exports. */
export function platformContractOutput(input: {
  environment: PlatformContract["environment"];
  namespace: pulumi.Input<string>;
  clusterName: string;
  proberUrl?: pulumi.Input<string>;
  runbookBaseUrl?: string;
  ownership: Ownership;
}): pulumi.Output<PlatformContract> {
  const own = input.ownership;
  return pulumi.all([input.namespace, input.proberUrl]).apply(([namespace, proberUrl]) => ({
    version: PLATFORM_CONTRACT_VERSION,
    environment: input.environment,
    namespace,
    clusterName: input.clusterName,
    selectors: monitorSelectors as unknown as PlatformContract["selectors"],
    ...(proberUrl ? { proberUrl } : {}),
    ...(input.runbookBaseUrl ? { runbookBaseUrl: input.runbookBaseUrl } : {}),
    alertmanagerConfigMatcherStrategy: "OnNamespace" as const,
    platformNamespaces: [...own.platformNamespaces],
    teams: own.teams.map((t) => ({ name: t.name, namespacePrefix: t.namespacePrefix })),
    apps: own.apps.map((a) => ({
      name: a.name,
      namespace: a.namespace,
      ...(a.team ? { team: a.team } : {}),
      routed: Boolean(a.routing),
    })),
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
    // Key and what was expected; never the value, which came from another stack.
    const at = (p: readonly PropertyKey[]) =>
      p.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("");
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const message =
          i.code === "invalid_type"
            ? `expected ${i.expected}`
            : i.code === "unrecognized_keys"
              ? `unknown key ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
              : i.message.replaceAll("{input}", "the value");
        return `${where}: platformContract${at(i.path)}: ${message}`;
      }),
    );
  }
  return parsed.data;
}

/** What a team stack's app looks like to ownership. */
export interface TeamApp {
  readonly name: string;
  readonly namespace: string;
  readonly team?: string;
  readonly routing?: { readonly copyToPlatform?: boolean };
}

/**
 * Why a team stack's apps may not be where they are, one message per app: a team stack uses only
 * namespaces its team claims in the platform's contract, never the platform's or another team's, never
 * a platform app's name or namespace; every app routes its alerts (the platform swallows what the team
 * claims), and no app asks for copies to the platform.
 */
export function teamPlacementProblems(
  stack: string,
  team: string,
  contract: PlatformContract,
  apps: readonly TeamApp[],
  /** The platform stack's reference, to name it, and where each app is in the team's stack file. */
  opts: { platformStack?: string; locate?: Locate } = {},
): string[] {
  const claim = contract.teams.find((t) => t.name === team);
  const platform = opts.platformStack ? `the platform stack ${opts.platformStack}` : "the platform stack";
  const problems: string[] = [];
  for (const [i, app] of apps.entries()) {
    // `Pulumi.payments.yaml:7: apps[checkout].namespace`: the key's own line where the file is known.
    const at = (...key: string[]) =>
      `${opts.locate?.(["apps", i, ...key]) ?? stack}: apps[${app.name}]${key.map((k) => `.${k}`).join("")}`;
    const ns = app.namespace;
    const platformApp = contract.apps.find((a) => a.name === app.name);
    const nsApp = contract.apps.find((a) => a.namespace === ns);
    const other = contract.teams.find((t) => t.name !== team && ns.startsWith(t.namespacePrefix));
    if (app.team !== undefined && app.team !== team) {
      problems.push(
        `${at("team")}: ${app.team} is not this stack's team ${team}; a team stack holds one team's apps`,
      );
    }
    if (contract.platformNamespaces.includes(ns)) {
      problems.push(
        `${at("namespace")}: ${ns} is owned by the ${PLATFORM_OWNER}; use a namespace of team ${team}`,
      );
    } else if (other) {
      problems.push(
        `${at("namespace")}: ${ns} is owned by team ${other.name} (prefix ${other.namespacePrefix})`,
      );
    } else if (!claim) {
      problems.push(
        `${at("namespace")}: team ${team} claims no namespaces in the platform stack; add { name: ${team} } to the platform's teams`,
      );
    } else if (!ns.startsWith(claim.namespacePrefix)) {
      problems.push(
        `${at("namespace")}: ${ns} is outside team ${team}'s namespaces (${claim.namespacePrefix}*)`,
      );
    }
    if (platformApp) {
      // Both stacks would create its monitors, rules and receivers: refused here, not by amtool later.
      problems.push(
        `${at()}: app ${app.name} is in both this team stack (${stack}) and ${platform} (in namespace ${platformApp.namespace}); ` +
          "an app belongs to one stack: remove it from one of them, or rename one",
      );
    } else if (nsApp) {
      problems.push(
        `${at("namespace")}: ${ns} holds the platform stack's app ${nsApp.name}; one namespace has one owner`,
      );
    }
    if (!app.routing) {
      problems.push(
        `${at("routing")}: is required in a team stack: the platform leaves the alerts of team ${team}'s namespaces to the team's routing`,
      );
    } else if (app.routing.copyToPlatform) {
      problems.push(
        `${at("routing", "copyToPlatform")}: is for platform stack apps; a team stack's alerts stay with the team`,
      );
    }
  }
  return problems;
}
