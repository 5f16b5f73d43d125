/**
 * Calls the policies exactly as the Pulumi engine would: resource policies once per resource with
 * ResourceValidationArgs, stack policies once with every resource, config from the per-stack file merged
 * over each policy's schema defaults, and values unknown during preview behind the SDK's checking proxy
 * (a policy that reads one is reported as "can't run during preview", never as a pass).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
  UnknownValueError,
  unknownCheckingProxy,
} from "@pulumi/policy";
import type { Policy } from "./util";

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

/** The per-stack config file (`policies/config.<stack>.json`), or nothing when there is none. */
export function loadPolicyConfig(stack: string, dir = __dirname): PolicyConfigFile {
  const file = path.join(dir, `config.${stack}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfigFile) : {};
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
  return { level: enforcementLevel ?? policy.enforcementLevel, config: { ...defaults, ...config } };
}

const UNKNOWN_IN_PLAN = "[unknown]";

/** The plan writes unknowns as "[unknown]"; the policy SDK knows them by the engine's sentinel. */
function withEngineUnknowns(value: unknown): unknown {
  if (value === UNKNOWN_IN_PLAN) return pulumi.runtime.unknownValue;
  if (Array.isArray(value)) return value.map(withEngineUnknowns);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEngineUnknowns(v)]));
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
    const unknown = (urn: string, err: UnknownValueError) =>
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
