/**
 * The recording mock runtime: runs the real Pulumi program in-process, with Pulumi's mock monitor in
 * place of the engine, and records every resource registration exactly as the engine would receive it
 * (type, name, parent, dependencies, protect, retainOnDelete and the serialized inputs). Shared by the
 * offline plan and the tests.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { onMockRegistration } from "../components/sdkInternals";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  /** URNs this resource waits for: explicit `dependsOn` plus the resources its inputs come from. */
  dependsOn: string[];
  /** Inputs as sent to the engine; secrets are `[secret]`, values unknown at plan time `[unknown]`. */
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
  custom: boolean;
  /**
   * A Kubernetes Secret's key names (of `data` and `stringData`), sorted; its values stay redacted in
   * `inputs`. Absent for other resources.
   */
  dataKeys?: string[];
}

/** The key names of a Secret's `data` and `stringData` as serialized, whatever wraps them. */
export function secretDataKeys(serialized: Record<string, unknown>): string[] {
  const unwrap = (value: unknown): unknown => {
    if (!value || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    const sig = obj[pulumi.runtime.specialSigKey];
    if (sig === pulumi.runtime.specialSecretSig || sig === pulumi.runtime.specialOutputValueSig)
      return unwrap(obj.value);
    return value;
  };
  const keys = ["data", "stringData"].flatMap((field) => {
    const data = unwrap(serialized[field]);
    return data && typeof data === "object" && !Array.isArray(data) ? Object.keys(data) : [];
  });
  return [...new Set(keys)].sort();
}

export interface ProgramRun {
  resources: RecordedResource[];
  /** Stack outputs, with secrets redacted. */
  outputs: Record<string, unknown>;
}

export interface RunOptions {
  project: string;
  stack: string;
  /** Fully qualified config (`kube-monitoring:environment` → text), as the Pulumi CLI passes it. */
  config: Record<string, string>;
  /** Fully qualified keys whose values are secrets. */
  secretKeys?: string[];
  /**
   * The program: typically `() => require("../index")`. Its exports become the stack outputs; an
   * exported function is called and awaited, as the Pulumi CLI does.
   */
  program: () => unknown;
  /** The outputs of the stacks the program references (`org/project/stack` → outputs). */
  stackReferences?: Record<string, Record<string, unknown>>;
}

/**
 * Output properties the mock returns beyond the inputs, per resource type. Only those: the SDK resolves
 * every other output from the resource's own inputs (outside a preview it round-trips them through its
 * serialisation), so echoing the inputs back would only add a protobuf copy of each resource.
 */
function mockState(type: string, name: string, urnHash: string, inputs: Record<string, unknown>) {
  const state: Record<string, unknown> = {};
  const metadata = inputs.metadata as Record<string, unknown> | undefined;
  if (type.startsWith("kubernetes:") && metadata && !metadata.name) {
    // The Kubernetes provider auto-names objects `<logical name>-<random suffix>`.
    state.metadata = { ...metadata, name: `${name}-${urnHash.slice(0, 8)}` };
  }
  if (type === "random:index/randomPassword:RandomPassword") {
    state.result = `mock-password-${urnHash.slice(0, 12)}`;
  }
  if (type.startsWith("aws:")) {
    // What AWS assigns: generated names, ARNs, access key pairs.
    const suffix = urnHash.slice(0, 8);
    if (type === "aws:s3/bucket:Bucket") {
      state.bucket = inputs.bucket ?? `${String(inputs.bucketPrefix ?? `${name}-`)}${suffix}`;
      state.arn = `arn:aws:s3:::${String(state.bucket)}`;
    } else if (type.startsWith("aws:iam/")) {
      state.name = inputs.name ?? `${name}-${suffix}`;
      state.arn = `arn:aws:iam::123456789012:${type.split(":").pop()!.toLowerCase()}/${String(state.name)}`;
    }
    if (type === "aws:iam/accessKey:AccessKey") state.secret = `mock-aws-secret-${suffix}`;
  }
  return state;
}

/** Converts serialized properties to plain JSON, with secrets and unknowns redacted. */
export function redactSerialized(value: unknown): unknown {
  if (value === pulumi.runtime.unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(redactSerialized);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    switch (obj[pulumi.runtime.specialSigKey]) {
      case pulumi.runtime.specialSecretSig:
        return SECRET;
      case pulumi.runtime.specialResourceSig:
        return obj.urn;
      case pulumi.runtime.specialOutputValueSig:
        return obj.secret ? SECRET : "value" in obj ? redactSerialized(obj.value) : UNKNOWN;
      case pulumi.runtime.specialAssetSig:
      case pulumi.runtime.specialArchiveSig:
        return { asset: obj.path ?? obj.uri ?? "[inline]" };
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, redactSerialized(v)]));
  }
  return value;
}

/** Resolves stack outputs to plain JSON, with secrets redacted. */
async function resolveOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown>;
    if (await pulumi.isSecret(output)) return SECRET;
    return resolveOutputs(await new Promise((resolve) => output.apply(resolve)));
  }
  if (value instanceof Promise) return resolveOutputs(await value);
  if (pulumi.Resource.isInstance(value)) return resolveOutputs((value as pulumi.Resource).urn);
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(v)] as const),
    );
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/**
 * Runs a Pulumi program under the mock runtime and returns every resource it registered. Throws what
 * the program throws (for example a config error) before anything is recorded past that point.
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const recorded: RecordedResource[] = [];
  const urnOf = (type: string, name: string, parent: string) => {
    const parentType = parent ? parent.split("::")[2].split("$").pop() + "$" : "";
    return `urn:pulumi:${options.stack}::${options.project}::${parentType}${type}::${name}`;
  };

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name ?? args.name);
          const outputs = options.stackReferences?.[name];
          if (!outputs) {
            throw new Error(
              `the offline plan has no plan of stack ${name} to read (give it with --platform-plan)`,
            );
          }
          return { id: name, state: { name, outputs, secretOutputNames: [] } };
        }
        const hash = crypto.createHash("sha256").update(`${args.type}::${args.name}`).digest("hex");
        return {
          id: `${args.name}-${hash.slice(0, 8)}`,
          state: mockState(args.type, args.name, hash, args.inputs),
        };
      },
      call: (args) => {
        throw new Error(`the offline plan has no mock for the provider function ${args.token}`);
      },
    },
    options.project,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);

  onMockRegistration((req) => {
    const parent = req.getParent();
    const message = req.getObject();
    const serialized = (message?.toJavaScript() ?? {}) as Record<string, unknown>;
    // The mock monitor converts the same message next: it gets this conversion rather than a second one.
    if (message) message.toJavaScript = () => serialized;
    recorded.push({
      urn: urnOf(req.getType(), req.getName(), parent),
      type: req.getType(),
      name: req.getName(),
      ...(parent ? { parent } : {}),
      dependsOn: [...new Set(req.getDependenciesList())].sort(),
      inputs: redactSerialized(serialized) as Record<string, unknown>,
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete(),
      custom: req.getCustom(),
      ...(req.getType() === "kubernetes:core/v1:Secret" ? { dataKeys: secretDataKeys(serialized) } : {}),
    });
  });

  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    const exported = options.program();
    return typeof exported === "function" ? await (exported as () => unknown)() : exported;
  });
  // Drains every pending registration; the mock monitor has nothing else to close.
  await pulumi.runtime.disconnect();
  return {
    resources: recorded,
    outputs: ((await resolveOutputs(outputs ?? {})) ?? {}) as Record<string, unknown>,
  };
}
