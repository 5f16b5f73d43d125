/** Real Prometheus and Alertmanager processes on loopback, for the end-to-end specs. */
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` every `intervalMs` until it returns a value, or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function ready(url: string): Promise<true | undefined> {
  try {
    return (await fetch(url)).ok ? true : undefined;
  } catch {
    return undefined;
  }
}

/** Processes a spec started; `stopAll` ends exactly those, by their own handles. */
export class Processes {
  private readonly children: ChildProcess[] = [];

  start(cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (d) => (log = (log + String(d)).slice(-4000)));
    child.on("exit", (code) => {
      if (code) console.error(`${cmd} exited with ${code}:\n${log}`);
    });
    this.children.push(child);
    return child;
  }

  /** Stops one process this spec started, by its handle (its pid); SIGKILL if it ignores SIGTERM for 10 s. */
  async stop(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Stops the processes in the reverse order of their start, each before the next: a Prometheus that
   * writes to another must flush to it while it still runs, or it waits its whole flush deadline.
   */
  async stopAll(): Promise<void> {
    for (const p of [...this.children].reverse()) await this.stop(p);
  }
}
