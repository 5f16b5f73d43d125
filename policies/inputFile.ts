/**
 * Every file the project reads is hostile input: resolved with symlinks followed, refused before it is
 * opened when it is not a regular file (a directory, FIFO, device, socket, or anything under /proc,
 * /sys or /dev), when it leads outside the directory it must stay in, or when it is larger than its
 * cap; read at most to its cap even if it grows meanwhile. Errors name the file, never its contents.
 * Here, not in components/, because the pack imports nothing outside this folder; the YAML side is
 * components/inputFile.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const MiB = 1024 * 1024;

/** Size caps, in bytes (documented in docs/security.md). */
export const SIZE_CAPS = {
  /** A `ruleFiles` entry, or a file `npm run check` reads. */
  ruleFile: 4 * MiB,
  /** A dashboard's JSON file: a ConfigMap holds at most 1 MiB. */
  dashboard: 1 * MiB,
  /** `Pulumi.<stack>.yaml`, `Pulumi.yaml`. */
  stackFile: 1 * MiB,
  /** `config.<stack>.json`. */
  policyConfig: 256 * 1024,
  /** A plan.json read back (`--compare`, `--platform-plan`, `plan:comment`, `verify --plan`). */
  planFile: 64 * MiB,
} as const;

/** Nesting deeper than this in a stack file, rule file or plan is refused (real ones stay under 20). */
export const MAX_DEPTH = 64;

/** A file that cannot be read as input: the message names it and says why, never quoting it. */
export class InputFileError extends Error {
  constructor(
    /** The file as messages name it. */
    readonly file: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "InputFileError";
  }
}

export interface ReadOptions {
  /** The cap, from SIZE_CAPS. */
  readonly maxBytes: number;
  /** A directory the file must stay in after symlinks are followed (the project's root). */
  readonly within?: string;
  /** How messages name the file; default the path as given. */
  readonly shown?: string;
}

const SPECIAL_TREES = ["/proc", "/sys", "/dev"];

const isUnder = (dir: string, p: string) =>
  p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

const sizeText = (bytes: number) =>
  bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;

/** What kind of non-regular file `stat` is, for the message. */
function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Where `file` really is, checked: a regular file within `within` (when given), outside /proc, /sys
 * and /dev, no larger than `maxBytes`. Throws InputFileError naming the file.
 */
export function checkInputFile(file: string, opts: ReadOptions): { real: string; stat: fs.Stats } {
  const shown = opts.shown ?? file;
  const fail = (why: string): never => {
    throw new InputFileError(shown, why);
  };
  let real = "";
  try {
    real = fs.realpathSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(
      code === "ENOENT"
        ? "no such file"
        : code === "ELOOP"
          ? "a loop of symlinks"
          : `cannot be read (${code ?? "error"})`,
    );
  }
  if (opts.within !== undefined) {
    let root = path.resolve(opts.within);
    try {
      root = fs.realpathSync(root);
    } catch {
      // A root that does not exist holds nothing: the check below refuses.
    }
    if (!isUnder(root, real)) fail("leads outside the project (symlinks followed); keep it inside");
  }
  const tree = SPECIAL_TREES.find((t) => isUnder(t, real));
  if (tree) fail(`is under ${tree}, not a regular file`);
  const stat = fs.statSync(real);
  if (!stat.isFile()) fail(`is ${kindOf(stat)}; expected a regular file`);
  if (stat.size > opts.maxBytes)
    fail(`is ${sizeText(stat.size)}; at most ${sizeText(opts.maxBytes)} (${opts.maxBytes} bytes)`);
  return { real, stat };
}

/** The text of `file`, checked as checkInputFile says and read no further than the cap. */
export function readInputFile(file: string, opts: ReadOptions): string {
  const shown = opts.shown ?? file;
  const { real, stat } = checkInputFile(file, opts);
  let fd: number;
  try {
    // No symlink at the end and no blocking open: a file swapped for a FIFO since the check cannot hang us.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new InputFileError(shown, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    const now = fs.fstatSync(fd);
    if (!now.isFile() || now.ino !== stat.ino || now.dev !== stat.dev)
      throw new InputFileError(shown, `changed while it was being read`);
    const buffer = Buffer.alloc(Math.min(opts.maxBytes, Math.max(now.size, 0)) + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > opts.maxBytes)
        throw new InputFileError(shown, `grew past ${sizeText(opts.maxBytes)} while it was being read`);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** How deep `value` nests (a scalar is 0), stopping once past `max`. Iterative: no stack to overflow. */
export function nestingDepth(value: unknown, max = MAX_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > max) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The key path (`resources[3].inputs`) open at `offset` of JSON text: where a truncated or broken file
 * stops making sense. Reads only structure, so it names keys, never values.
 */
export function jsonPathAt(text: string, offset = text.length): string {
  const stack: { key: string | number | undefined; array: boolean }[] = [];
  let expectKey = false;
  let lastString: string | undefined;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      lastString = text.slice(i + 1, Math.min(j, text.length));
      i = j;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === "{") {
      stack.push({ key: undefined, array: false });
      expectKey = true;
    } else if (c === "[") stack.push({ key: 0, array: true });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ":" && top && !top.array && expectKey) {
      top.key = lastString;
      expectKey = false;
    } else if (c === "," && top) {
      if (top.array) top.key = (top.key as number) + 1;
      else expectKey = true;
    }
  }
  return stack
    .filter((s) => s.key !== undefined)
    .map((s, i) =>
      s.array ? `[${s.key}]` : `${i ? "." : ""}${/^[\w-]{1,64}$/.test(String(s.key)) ? s.key : "…"}`,
    )
    .join("");
}

/**
 * JSON text parsed, or an InputFileError naming the file and where it broke off (`truncated?`), never
 * quoting it (the parser's messages do); too deep a nesting is refused too.
 */
export function parseJsonInput(text: string, shown: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const ended = /end of JSON input/.test(message);
    const at = position !== undefined ? Number(position) : ended ? text.length : undefined;
    const key = at === undefined ? "" : jsonPathAt(text, at);
    const where =
      at === undefined
        ? ""
        : ended || at >= text.trimEnd().length
          ? " (it ends early: truncated?)"
          : ` at character ${at}`;
    throw new InputFileError(shown, `${key ? `${key}: ` : ""}not valid JSON${where}`);
  }
  if (nestingDepth(value) > MAX_DEPTH)
    throw new InputFileError(shown, `nests deeper than ${MAX_DEPTH} levels`);
  return value;
}

/** A path as messages show it: relative to the working directory when inside it, else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? path.resolve(file) : relative;
}
