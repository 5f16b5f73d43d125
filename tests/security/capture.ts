/** Runs `fn` with console.log/console.error captured (not printed); returns what it wrote and returned. */
export async function captureConsole<T>(
  fn: () => Promise<T> | T,
): Promise<{ result: T; stdout: string; stderr: string }> {
  const { log, error } = console;
  let stdout = "";
  let stderr = "";
  console.log = (...args: unknown[]) => (stdout += args.map(String).join(" ") + "\n");
  console.error = (...args: unknown[]) => (stderr += args.map(String).join(" ") + "\n");
  try {
    const result = await fn();
    return { result, stdout, stderr };
  } finally {
    console.log = log;
    console.error = error;
  }
}
