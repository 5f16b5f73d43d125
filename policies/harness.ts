/**
 * Calls the policies exactly as the Pulumi engine would: resource policies once per resource with
 * ResourceValidationArgs, stack policies once with every resource, config from the per-stack file merged
 * over each policy's schema defaults, and values unknown during preview behind the SDK's checking proxy
 * (a policy that reads one is reported as "can't run during preview", never as a pass).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type * as policySdk from "@pulumi/policy";
import Ajv from "ajv";
import type { Policy } from "./util";
import { InputFileError, SIZE_CAPS, parseJsonInput, readInputFile } from "./inputFile";
import { Loosening, effectiveLevel, loosens, settingBoundProblems, settingText } from "./settingsDelta";

// The SDK's own checking proxy, from the module that defines it (the package's index re-exports it, and a
// spec holds them equal): the index also loads the analyzer's gRPC server and protocol, ≈35 ms of every
// plan, which the engine runs and the harness does not. Its declarations are the index's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError, unknownCheckingProxy } = require("@pulumi/policy/proxy") as Pick<
  typeof policySdk,
  "UnknownValueError" | "unknownCheckingProxy"
>;

export type { Loosening } from "./settingsDelta";

/** What a policy needs of a resource (the offline plan's records have this shape). */
export interface PolicyInput {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  dependsOn: string[];
  inputs: Record<string, unknown>;
  protect: boolean;
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
}

export type PolicyConfigFile = Record<
  string,
  { enforcementLevel?: EnforcementLevel; [key: string]: unknown } | EnforcementLevel
>;

/** A policy config file that would switch the gate off silently, or a stack without one. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "PolicyConfigError";
  }
}

export const PROFILES = ["dev", "prod"] as const;
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

export interface StackPolicyConfig {
  file: string;
  profile: (typeof PROFILES)[number];
  settings: PolicyConfigFile;
  loosened: Loosening[];
}

/**
 * Reads and validates the stack's policy config (`config.<stack>.json`): it must exist, declare its
 * `profile`, and name only policies of the pack, valid levels, and config keys and values their schemas
 * accept. A prod environment must use the prod profile.
 */
export function loadPolicyConfig(
  stack: string,
  dir = __dirname,
  policies: Policy[] = [],
  environment?: string,
  /** Where the file must stay once symlinks are followed (the project, unless a directory was named). */
  within?: string,
): StackPolicyConfig {
  const file = path.join(dir, `config.${stack}.json`);
  const relative = path.relative(process.cwd(), file);
  const shown = relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  if (!fs.existsSync(file)) {
    // Where it was looked for, and where the pack's own profiles are (a team stack's sits in teams/).
    const example = (profile: string) => {
      const own = path.relative(process.cwd(), path.join(__dirname, `config.${profile}.json`));
      return own.startsWith("..") || path.isAbsolute(own)
        ? path.join(__dirname, `config.${profile}.json`)
        : own;
    };
    throw new PolicyConfigError([
      `${stack}: no policy config ${shown}; every stack needs one: copy ${example("prod")} (profile prod) ` +
        `or ${example("dev")} (profile dev) to ${shown}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = parseJsonInput(readInputFile(file, { maxBytes: SIZE_CAPS.policyConfig, within, shown }), shown);
  } catch (err) {
    if (err instanceof InputFileError) throw new PolicyConfigError([err.message]);
    throw err;
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PolicyConfigError([`${shown}: must be a JSON object of policy names`]);
  }
  const problems: string[] = reservedKeys(raw).map(
    (key) => `${shown}: ${key}: a reserved name (__proto__, constructor, prototype); not a policy or setting`,
  );
  if (problems.length) throw new PolicyConfigError(problems);
  const { profile, ...settings } = raw as { profile?: unknown } & PolicyConfigFile;
  if (!PROFILES.includes(profile as (typeof PROFILES)[number])) {
    problems.push(
      `${shown}: profile: ${JSON.stringify(profile)} is not a profile; expected ${PROFILES.join(" or ")}`,
    );
  } else if (environment === "prod" && profile !== "prod") {
    problems.push(
      `${shown}: profile: ${JSON.stringify(profile)} is not allowed for a prod environment; use "prod"`,
    );
  }
  const byName = new Map(policies.map((p) => [p.name, p]));
  const loosened: Loosening[] = [];
  for (const [name, entry] of Object.entries(settings)) {
    const policy = byName.get(name);
    if (!policy) {
      problems.push(`${shown}: ${name}: unknown policy; expected one of ${[...byName.keys()].join(", ")}`);
      continue;
    }
    const own = typeof entry === "string" ? { enforcementLevel: entry } : entry;
    if (!own || typeof own !== "object" || Array.isArray(own)) {
      problems.push(`${shown}: ${name}: must be an enforcement level or an object`);
      continue;
    }
    const { enforcementLevel, ...config } = own as { enforcementLevel?: unknown };
    if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as string)) {
      problems.push(
        `${shown}: ${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a level; expected ${LEVELS.join(", ")}`,
      );
    } else if (
      policy.enforcementLevel === "mandatory" &&
      (enforcementLevel === "advisory" || enforcementLevel === "disabled")
    ) {
      loosened.push({ policy: name, from: "mandatory", to: enforcementLevel, file: shown });
    }
    // Settings gate only where the policy blocks: by default, or raised to mandatory or remediate here.
    const gates =
      policy.enforcementLevel === "mandatory" ||
      effectiveLevel((enforcementLevel ?? "advisory") as EnforcementLevel) === "mandatory";
    for (const [key, value] of Object.entries(config)) {
      const schema = Object.hasOwn(policy.configSchema.properties, key)
        ? policy.configSchema.properties[key]
        : undefined;
      if (!schema) {
        problems.push(
          `${shown}: ${name}.${key}: unknown setting; expected one of enforcementLevel, ${Object.keys(policy.configSchema.properties).join(", ")}`,
        );
        continue;
      }
      const validate = ajv.compile(schema);
      if (!validate(value)) {
        const why = (validate.errors ?? []).map((e) => e.message).join("; ");
        problems.push(`${shown}: ${name}.${key}: ${JSON.stringify(value)} ${why}`);
        continue;
      }
      for (const bound of settingBoundProblems(key, value, schema as { pattern?: string }))
        problems.push(`${shown}: ${name}.${key}: ${bound}`);
      const defaultValue = (schema as { default?: unknown }).default;
      if (gates && loosens(key, defaultValue, value)) {
        loosened.push({
          policy: name,
          setting: key,
          from: settingText(defaultValue),
          to: settingText(value),
          file: shown,
        });
      }
    }
  }
  if (problems.length) throw new PolicyConfigError(problems);
  return { file: shown, profile: profile as (typeof PROFILES)[number], settings, loosened };
}

// The schemas are the pack's own, held to JSON Schema's meta-schema by a spec (tests/policies/config.spec.ts):
// checking them here again compiled the meta-schema on every plan.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });

const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** Dotted paths of keys anywhere in `value` that name an object's machinery rather than data. */
function reservedKeys(value: unknown, at = ""): string[] {
  if (!value || typeof value !== "object") return [];
  return Object.keys(value).flatMap((key) => {
    const here = at ? `${at}.${key}` : key;
    return RESERVED.has(key) ? [here] : reservedKeys((value as Record<string, unknown>)[key], here);
  });
}

function settingsFor(policy: Policy, file: PolicyConfigFile) {
  const entry = file[policy.name];
  const own = typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema.properties).flatMap(([k, s]) =>
      "default" in s ? [[k, s.default]] : [],
    ),
  );
  const { enforcementLevel, ...config } = own as { enforcementLevel?: EnforcementLevel };
  // remediate is never weaker than mandatory: its violations block here as they would in Pulumi.
  return {
    level: effectiveLevel(enforcementLevel ?? policy.enforcementLevel),
    config: { ...defaults, ...config },
  };
}

const UNKNOWN_IN_PLAN = "[unknown]";

/**
 * The plan writes unknowns as "[unknown]"; the policy SDK knows them by the engine's sentinel. Copies
 * only what holds an unknown: the rest is the plan's own object, shared (policies only read it), so a
 * large plan is not held twice.
 */
function withEngineUnknowns(value: unknown): unknown {
  if (value === UNKNOWN_IN_PLAN) return pulumi.runtime.unknownValue;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const converted = withEngineUnknowns(v);
      if (converted !== v) (copy ??= [...value])[i] = converted;
    });
    return copy ?? value;
  }
  if (value && typeof value === "object") {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const converted = withEngineUnknowns(v);
      if (converted !== v) (copy ??= { ...value })[k] = converted;
    }
    return copy ?? value;
  }
  return value;
}

const options = (r: PolicyInput) => ({
  protect: r.protect,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(r.parent ? { parent: r.parent } : {}),
});

export function runPolicies(
  resources: PolicyInput[],
  policies: Policy[],
  file: PolicyConfigFile = {},
): Violation[] {
  const violations: Violation[] = [];
  const props = new Map(
    resources.map((r) => [r.urn, withEngineUnknowns(r.inputs) as Record<string, unknown>]),
  );

  // Stack policies see every resource with its parent and dependencies as objects, built once.
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unknownCheckingProxy(props.get(r.urn)!),
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: (cls) => (isTypeOf(r.type, cls) ? props.get(r.urn) : undefined) as never,
    });
  }
  for (const r of resources) {
    const resource = byUrn.get(r.urn)!;
    resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
    resource.dependencies = r.dependsOn.flatMap((d) => (byUrn.has(d) ? [byUrn.get(d)!] : []));
  }
  const stackResources = [...byUrn.values()];

  for (const policy of policies) {
    const { level, config } = settingsFor(policy, file);
    if (level === "disabled") continue;
    const record = (urn: string) => (message: string, violationUrn?: string) =>
      violations.push({ policy: policy.name, enforcementLevel: level, urn: violationUrn ?? urn, message });
    const unknown = (urn: string, err: policySdk.UnknownValueError) =>
      violations.push({
        policy: policy.name,
        enforcementLevel: "advisory",
        urn,
        message: `can't run policy '${policy.name}' during preview: ${err.message}`,
      });
    const guarded = (urn: string, run: () => void) => {
      try {
        run();
      } catch (err) {
        if (err instanceof UnknownValueError) unknown(urn, err);
        else throw err;
      }
    };
    const notApplicable = (): never => {
      throw new NotApplicable();
    };

    if ("validateResource" in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const r of resources) {
        const args: ResourceValidationArgs = {
          type: r.type,
          props: unknownCheckingProxy(props.get(r.urn)!),
          urn: r.urn,
          name: r.name,
          opts: options(r),
          stackTags: new Map(),
          isType: (cls) => isTypeOf(r.type, cls),
          asType: (cls) => (isTypeOf(r.type, cls) ? args.props : undefined) as never,
          getConfig: <T extends object>() => config as T,
          notApplicable,
        };
        for (const validate of validations)
          guarded(r.urn, () => skipNotApplicable(() => validate(args, record(r.urn))));
      }
    }
    if ("validateStack" in policy && policy.validateStack) {
      const args: StackValidationArgs = {
        resources: stackResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
      };
      const validateStack = policy.validateStack;
      guarded("", () => skipNotApplicable(() => validateStack(args, record(""))));
    }
  }
  return violations;
}

class NotApplicable extends Error {}

/** As the SDK does: a resource class knows its type token. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

function skipNotApplicable(run: () => unknown): void {
  try {
    const result = run();
    if (result instanceof Promise) throw new Error("the offline harness runs synchronous policies only");
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
  }
}
