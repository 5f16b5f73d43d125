/**
 * A progress line for long work (verify --wait, the backtest, the benchmark): on a terminal, one line on
 * stderr rewritten in place and cleared at the end; nothing at all when stderr is not a terminal (a file,
 * a pipe) or under CI (CI=true), so logs and captured output stay as they were.
 */

/** The stream progress goes to: stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** Replaces the line with `text`. */
  update(text: string): void;
  /** Clears the line, so what follows starts on a clean one. */
  done(): void;
}

/** Carriage return, the text, then erase to the end of the line (ANSI EL). */
const CLEAR_TO_END = "\x1b[K";

export function progressLine(
  stream: ProgressStream = process.stderr,
  env: Record<string, string | undefined> = process.env,
): Progress {
  if (!stream.isTTY || env.CI === "true") return { update: () => {}, done: () => {} };
  // One character short of the width: a full line would wrap on some terminals.
  const width = Math.max(20, (stream.columns ?? 80) - 1);
  let shown = false;
  return {
    update(text) {
      // One line only: a newline or control character would break the rewrite in place.
      const line = text.replace(/[\p{Cc}]+/gu, " ");
      stream.write(`\r${line.length > width ? `${line.slice(0, width - 1)}…` : line}${CLEAR_TO_END}`);
      shown = true;
    },
    done() {
      if (shown) stream.write(`\r${CLEAR_TO_END}`);
      shown = false;
    },
  };
}

/** `4m 10s`, `35s`: what is left of a wait, for a progress line. */
export function remaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
