/**
 * One help format for every command (plan, check, verify, backtest, plan:comment, docs, bench), and one
 * parser that answers `--help` and turns a bad command line into a short reason and the help, never
 * Node's own error.
 */
import { ParseArgsConfig, parseArgs } from "node:util";
import { logSafe } from "./escape";

export interface CommandHelp {
  /** What follows `usage: `, e.g. `npm run plan -- <stack> [--out DIR]`; may span lines. */
  usage: string;
  /** What the command does, a few lines. */
  description: string;
  /** Flag (with its value's name) and what it does; `\n` in the text starts an indented line. */
  options: readonly (readonly [string, string])[];
  environment?: readonly (readonly [string, string])[];
  exitCodes: readonly (readonly [number, string])[];
  /** One example command line (continuation lines allowed). */
  example: string;
}

const WIDTH = 24;

function table(rows: readonly (readonly [string, string])[]): string[] {
  return rows.flatMap(([left, right]) => {
    const [first, ...more] = right.split("\n");
    const head = `  ${left}`;
    const lines =
      head.length < WIDTH ? [`${head.padEnd(WIDTH)}${first}`] : [head, `${" ".repeat(WIDTH)}${first}`];
    return [...lines, ...more.map((line) => `${" ".repeat(WIDTH)}${line}`)];
  });
}

/** The help text: usage, description, options, environment, exit status, example. */
export function helpText(help: CommandHelp): string {
  return [
    `usage: ${help.usage}`,
    "",
    help.description,
    "",
    "options:",
    ...table([...help.options, ["-h, --help", "this help"]]),
    ...(help.environment?.length ? ["", "environment:", ...table(help.environment)] : []),
    "",
    "exit status:",
    ...help.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`),
    "",
    "example:",
    `  ${help.example}`,
  ].join("\n");
}

/** A usage error: the reason, a blank line, then the whole help. */
export function usageError(reason: string, help: CommandHelp): string {
  return `${reason}\n\n${helpText(help)}`;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{
    options: O & { help: { type: "boolean"; short: "h" } };
    allowPositionals: true;
    strict: true;
  }>
>;

export type ParsedCommandLine<O extends Options> =
  | { kind: "run"; values: Parsed<O>["values"]; positionals: string[] }
  /** `--help`: print `text` to stdout, exit 0. */
  | { kind: "help"; text: string }
  /** A bad command line: print `text` to stderr, exit 1. */
  | { kind: "error"; text: string };

/** Node's parse errors in a person's words: which option, and what is wrong with it. */
export function parseErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `${option ?? message}: unknown option`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return option ? `${option}: needs a value` : message.split("\n")[0];
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return `${/'([^']*)'/.exec(message)?.[1] ?? "an argument"}: unexpected argument`;
  return message.split("\n")[0];
}

/** Parses `argv` strictly against `options` (plus `-h, --help`). */
export function parseCommandLine<O extends Options>(
  argv: readonly string[],
  options: O,
  help: CommandHelp,
): ParsedCommandLine<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: "boolean" as const, short: "h" as const } },
    }) as Parsed<O>;
  } catch (err) {
    // The option as typed is input: control characters shown, not sent to the terminal.
    return { kind: "error", text: usageError(logSafe(parseErrorReason(err)), help) };
  }
  if ((parsed.values as { help?: boolean }).help) return { kind: "help", text: helpText(help) };
  return { kind: "run", values: parsed.values, positionals: parsed.positionals };
}
