import { onPath } from "../../plan/realTools";

/**
 * For specs that need a real binary: under CI a missing tool fails the spec; elsewhere it is skipped
 * with a note on how to install it.
 */
export function requireTool(ctx: Mocha.Context, tool: string, debianPackage: string): void {
  if (onPath(tool)) return;
  if (process.env.CI === "true")
    throw new Error(`${tool} is not on PATH; .ci/run must install ${debianPackage}`);
  console.warn(`    (skipped: ${tool} not on PATH; apt-get install ${debianPackage})`);
  ctx.skip();
}
