/**
 * The one place that reaches into the Pulumi SDK beyond its typings. The SDK implements
 * `isConfigSecret` in its runtime config module but leaves it out of the published types; if a new SDK
 * moves or drops it, this throws rather than treating every credential as plain text (or as secret).
 * tests/sdkInternals.spec.ts checks the contract against the installed SDK.
 */
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
