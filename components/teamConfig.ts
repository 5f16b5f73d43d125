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
import * as path from "node:path";

/** `org/project/stack`, as `pulumi stack ls` names a stack of the Pulumi Cloud. */
export const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const teamSchema = z.strictObject({
  /** The team this stack belongs to; default the stack's name. Its apps live in its claimed namespaces. */
  team: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "{input} is not a team name (a DNS label)" })
    .optional(),
  environment: z.enum(["dev", "prod"], { error: "{input} is not an environment; expected dev or prod" }),
  platformStack: z.string().regex(STACK_REFERENCE, {
    error: "{input} is not a stack reference; expected org/kube-monitoring/<stack>",
  }),
  apps: z.array(z.unknown()).min(1, { error: "a team stack needs at least one app" }),
});

export interface TeamConfig {
  readonly team: string;
  readonly environment: "dev" | "prod";
  readonly platformStack: string;
  readonly apps: StackConfig["apps"];
}

/** Validates a team stack's raw config; apps are judged exactly as in the platform stack. */
export function parseTeamConfig(
  stack: string,
  raw: Record<string, unknown>,
  opts: ParseOptions = {},
): TeamConfig {
  const parsed = teamSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = i.path.length ? i.path.join(".") : "";
        const unknown =
          i.code === "unrecognized_keys"
            ? `${i.keys.join(", ")}: unknown key; expected team, environment, platformStack, apps`
            : undefined;
        return `${stack}: ${unknown ?? `${key}: ${i.message.replaceAll("{input}", JSON.stringify((i as { input?: unknown }).input))}`}`;
      }),
    );
  }
  const team = parsed.data.team ?? stack.split("/").pop()!;
  // An app's team defaults to the stack's, so its alerts carry the team that owns the namespace.
  const withTeam = parsed.data.apps.map((app) =>
    app && typeof app === "object" && !Array.isArray(app) && !("team" in app) ? { ...app, team } : app,
  );
  // The platform schema judges the apps: the same keys, credentials per leaf, rule files.
  const cfg = parseStackConfig(
    stack,
    { environment: parsed.data.environment, clusterName: "team", apps: withTeam },
    opts,
  );
  // A team's monitors keep the target's labels: honorLabels would let a target speak for another owner.
  const honoring = cfg.apps.flatMap((app) =>
    [...(app.serviceMonitor?.endpoints ?? []), ...(app.podMonitor?.endpoints ?? [])].some(
      (e) => e.honorLabels,
    )
      ? [
          `${stack}: apps[${app.name}]: honorLabels is refused in a team stack: the target's own labels (namespace, job) would win over the stack's; relabel instead, or ask the platform to monitor it`,
        ]
      : [],
  );
  if (honoring.length) throw new ConfigError(honoring);
  return {
    team,
    environment: parsed.data.environment,
    platformStack: parsed.data.platformStack,
    apps: cfg.apps,
  };
}

/** Reads and validates this team stack's config (the team program's only reader of pulumi.Config). */
export function loadTeamConfig(projectDir: string): TeamConfig {
  const stack = pulumi.getStack();
  const raw = rawConfigFrom(pulumi.runtime.allConfig());
  const secretKeys = Object.keys(raw).filter((key) => isConfigSecret(`kube-monitoring:${key}`));
  const dir = process.env[CONFIG_DIR_ENV] || projectDir;
  const secureLeaves = readSecureLeafPaths(dir, stack, "kube-monitoring");
  const root = path.resolve(projectDir, "..");
  return parseTeamConfig(stack, raw, {
    secretKeys,
    secureLeaves,
    readFile: projectFileReader(root),
  });
}
