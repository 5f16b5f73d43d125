import { runPlanCli } from "../../plan/cli";

/** The plan command run in this process, with what it printed. */
export async function planCli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runPlanCli(args, { log: (t) => out.push(t), error: (t) => err.push(t) });
  return { status, stdout: out.join("\n") + "\n", stderr: err.join("\n") + "\n" };
}
