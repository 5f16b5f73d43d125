/**
 * A team stack's configuration (the teams/ project): which platform stack it builds on, and its apps,
 * under the same schema, credential rules and rule-file imports as apps in the platform stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  CONFIG_DIR_ENV,
  ConfigError,
  ParseOptions,
  StackConfig,
  parseStackConfig,
  rawConfigFrom,
} from "./config";
import { isConfigSecret } from "./sdkInternals";
import { readSecureLeafPaths } from "./stackSecrets";
import { projectFileReader } from "./ruleFiles";
import { Locate, stackFileLocator } from "./configLocation";
import type { PlatformContract } from "./platformContract";
import * as path from "node:path";

/** `org/project/stack`, as `pulumi stack ls` names a stack of the Pulumi Cloud. */
export const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const ENVIRONMENTS = ["dev", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];

const platformStack = z.string().regex(STACK_REFERENCE, {
  error: "{input} is not a stack reference; expected org/kube-monitoring/<stack>",
});

const teamSchema = z.strictObject({
  /** The team this stack belongs to; default the stack's name. Its apps live in its claimed namespaces. */
  team: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "{input} is not a team name (a DNS label)" })
    .optional(),
  /** Default: the platform stack's, from its contract. */
  environment: z
    .enum(ENVIRONMENTS, { error: "{input} is not an environment; expected dev or prod" })
    .optional(),
  platformStack,
  apps: z.array(z.unknown()).min(1, { error: "a team stack needs at least one app" }),
});

export interface TeamConfig {
  readonly team: string;
  readonly environment: Environment;
  readonly platformStack: string;
  readonly apps: StackConfig["apps"];
}

export interface TeamParseOptions extends ParseOptions {
  /** The platform stack's environment (its contract's): the team stack's unless it names its own. */
  platformEnvironment?: Environment;
}

/** `Pulumi.payments.yaml:3: environment` where the file is known, else `payments: environment`. */
const whereOf =
  (stack: string, locate: Locate | undefined) =>
  (keyPath: (string | number)[]): string => {
    const file = locate ? (locate(keyPath) ?? `Pulumi.${stack}.yaml`) : stack;
    return `${file}: ${keyPath.join(".")}`;
  };

/** Validates a team stack's raw config; apps are judged exactly as in the platform stack. */
export function parseTeamConfig(
  stack: string,
  raw: Record<string, unknown>,
  opts: TeamParseOptions = {},
): TeamConfig {
  const where = whereOf(stack, opts.locate);
  // jitless: compiling a parser per object schema costs more than this one parse (as parseStackConfig).
  const parsed = teamSchema.safeParse(raw, { reportInput: true, jitless: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        if (i.code === "unrecognized_keys") {
          return `${where([])}${i.keys.join(", ")}: unknown key; expected team, environment, platformStack, apps`;
        }
        const input = (i as { input?: unknown }).input;
        if (input === undefined && i.code === "invalid_type") {
          return `${where(i.path as (string | number)[])}: is required (expected ${i.expected})`;
        }
        return `${where(i.path as (string | number)[])}: ${i.message.replaceAll("{input}", JSON.stringify(input))}`;
      }),
    );
  }
  const environment = teamEnvironment(parsed.data, opts.platformEnvironment, where);
  const team = parsed.data.team ?? stack.split("/").pop()!;
  // An app's team defaults to the stack's, so its alerts carry the team that owns the namespace.
  const withTeam = parsed.data.apps.map((app) =>
    app && typeof app === "object" && !Array.isArray(app) && !("team" in app) ? { ...app, team } : app,
  );
  // The platform schema judges the apps: the same keys, credentials per leaf, rule files.
  const cfg = parseStackConfig(stack, { environment, clusterName: "team", apps: withTeam }, opts);
  // A team's monitors keep the target's labels: honorLabels would let a target speak for another owner.
  const honoring = cfg.apps.flatMap((app, i) =>
    [...(app.serviceMonitor?.endpoints ?? []), ...(app.podMonitor?.endpoints ?? [])].some(
      (e) => e.honorLabels,
    )
      ? [
          `${where(["apps", i]).replace(/apps\.\d+$/, `apps[${app.name}]`)}: honorLabels is refused in a team stack: the target's own labels (namespace, job) would win over the stack's; relabel instead, or ask the platform to monitor it`,
        ]
      : [],
  );
  if (honoring.length) throw new ConfigError(honoring);
  return { team, environment, platformStack: parsed.data.platformStack, apps: cfg.apps };
}

/**
 * The team stack's environment: its own, else the platform's (the contract's). Never dev on a prod
 * platform: the environment picks the policy profile, and a team stack is judged at least as strictly as
 * the platform it deploys to.
 */
function teamEnvironment(
  data: { environment?: Environment; platformStack: string },
  platform: Environment | undefined,
  where: (keyPath: (string | number)[]) => string,
): Environment {
  const environment = data.environment ?? platform;
  if (!environment) {
    throw new ConfigError([
      `${where(["environment"])}: is required (expected dev or prod): the platform stack ${data.platformStack} does not say its own`,
    ]);
  }
  if (platform === "prod" && environment === "dev") {
    throw new ConfigError([
      `${where(["environment"])}: is dev, but the platform stack ${data.platformStack} is prod: a team stack is judged at least as strictly as its platform (remove the key, or set prod)`,
    ]);
  }
  return environment;
}

/** The team stack's raw config and how to read its files, before anything is validated. */
function readTeamInput(projectDir: string): {
  stack: string;
  raw: Record<string, unknown>;
  opts: ParseOptions;
} {
  const stack = pulumi.getStack();
  const raw = rawConfigFrom(pulumi.runtime.allConfig());
  const secretKeys = Object.keys(raw).filter((key) => isConfigSecret(`kube-monitoring:${key}`));
  const dir = process.env[CONFIG_DIR_ENV] || projectDir;
  const secureLeaves = readSecureLeafPaths(dir, stack, "kube-monitoring");
  const root = path.resolve(projectDir, "..");
  const locate = stackFileLocator(dir, stack);
  return { stack, raw, opts: { secretKeys, secureLeaves, readFile: projectFileReader(root), locate } };
}

/**
 * Reads and validates this team stack's config (the team program's only reader of pulumi.Config), with
 * the contract of the platform stack it names, which gives the environment when the stack names none.
 */
export async function loadTeamConfig(
  projectDir: string,
  contractOf: (platformStack: string) => Promise<PlatformContract>,
): Promise<{ cfg: TeamConfig; contract: PlatformContract; locate?: Locate }> {
  const { stack, raw, opts } = readTeamInput(projectDir);
  const reference = platformStack.safeParse(raw.platformStack, { reportInput: true });
  if (!reference.success) {
    // The whole config judged: the reference's problem with every other one.
    parseTeamConfig(stack, raw, opts);
    throw new ConfigError([`${whereOf(stack, opts.locate)(["platformStack"])}: is not a stack reference`]);
  }
  const contract = await contractOf(reference.data);
  const cfg = parseTeamConfig(stack, raw, { ...opts, platformEnvironment: contract.environment });
  return { cfg, contract, locate: opts.locate };
}
