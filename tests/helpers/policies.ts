import { strict as assert } from "node:assert";
import { PolicyConfigFile, PolicyInput, Violation, runPolicies } from "../../policies/harness";
import type { Policy } from "../../policies/util";

let counter = 0;

/** A resource as the plan records it, for policy tests. */
export function resourceOf(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PolicyInput> = {},
): PolicyInput {
  counter += 1;
  return {
    urn: `urn:pulumi:test::p::${type}::${name}-${counter}`,
    type,
    name,
    dependsOn: [],
    inputs,
    protect: false,
    ...extra,
  };
}

export function violationsOf(
  policy: Policy,
  resources: PolicyInput[],
  config: PolicyConfigFile = {},
): Violation[] {
  return runPolicies(resources, [policy], config);
}

export function assertNoViolations(
  policy: Policy,
  resources: PolicyInput[],
  config: PolicyConfigFile = {},
): void {
  assert.deepEqual(
    violationsOf(policy, resources, config).map((v) => v.message),
    [],
  );
}

/** Asserts exactly these messages (in order), all from `policy`. */
export function assertViolations(
  policy: Policy,
  resources: PolicyInput[],
  messages: (string | RegExp)[],
  config: PolicyConfigFile = {},
): Violation[] {
  const found = violationsOf(policy, resources, config);
  assert.equal(
    found.length,
    messages.length,
    `got ${JSON.stringify(
      found.map((v) => v.message),
      null,
      1,
    )}`,
  );
  found.forEach((v, i) => {
    assert.equal(v.policy, policy.name);
    const expected = messages[i];
    if (typeof expected === "string") assert.equal(v.message, expected);
    else assert.match(v.message, expected);
  });
  return found;
}

/** A deep copy with one change. */
export function changed<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}
