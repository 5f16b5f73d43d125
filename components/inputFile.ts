/**
 * YAML as hostile input: alias bombs and deep nesting refused before they cost memory, parser messages
 * (which quote the input) replaced by their code and line. Files are read by policies/inputFile.ts.
 */
import { Document, LineCounter, parseAllDocuments } from "yaml";
import { InputFileError, MAX_DEPTH, nestingDepth } from "../policies/inputFile";

export * from "../policies/inputFile";

/** Alias nodes a YAML document may resolve (the yaml package's guard against alias bombs). */
export const MAX_YAML_ALIASES = 100;

/**
 * Every YAML document of `text` as plain values, or a message (naming neither contents nor values): not
 * YAML (with the line), aliases expanding past MAX_YAML_ALIASES (an alias bomb), nesting past MAX_DEPTH.
 */
export function parseYamlInput(text: string): { docs: unknown[] } | { problem: string } {
  const parsed = parseYamlTrees(text);
  return "problem" in parsed ? parsed : { docs: parsed.docs };
}

/** parseYamlInput's documents, with their syntax trees and line positions (for `file:line` messages). */
interface ParsedYaml {
  docs: unknown[];
  trees: Document.Parsed[];
  lines: LineCounter;
}

function parseYamlTrees(text: string): ParsedYaml | { problem: string } {
  // Before the parser: flow collections nested thousands deep exhaust its memory, not just its time.
  if (yamlNesting(text) > MAX_DEPTH) return { problem: `nests deeper than ${MAX_DEPTH} levels` };
  const lines = new LineCounter();
  const docs: unknown[] = [];
  const trees = parseAllDocuments(text, { lineCounter: lines });
  for (const doc of trees) {
    if (doc.errors.length) {
      const error = doc.errors[0];
      if (error.code === "RESOURCE_EXHAUSTION") return { problem: `nests deeper than ${MAX_DEPTH} levels` };
      // The code, not the message: the parser's messages quote the offending line.
      const what = error.code.toLowerCase().replaceAll("_", " ");
      return { problem: `is not YAML (line ${lines.linePos(error.pos[0]).line}: ${what})` };
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (err) {
      // The parser's ReferenceErrors: too many aliases, or an alias without its anchor (which names it).
      if (err instanceof ReferenceError && /excessive alias count/i.test(err.message))
        return { problem: `expands aliases past ${MAX_YAML_ALIASES} (an alias bomb?); write the values out` };
      if (err instanceof ReferenceError && /unresolved alias/i.test(err.message))
        return { problem: "is not YAML: an alias names no anchor set before it" };
      if (err instanceof RangeError) return { problem: `nests deeper than ${MAX_DEPTH} levels` };
      return { problem: `is not YAML: ${(err as Error).name}` };
    }
    if (nestingDepth(value) > MAX_DEPTH) return { problem: `nests deeper than ${MAX_DEPTH} levels` };
    docs.push(value);
  }
  return { docs, trees: Array.isArray(trees) ? trees : [], lines };
}

/**
 * An upper bound of a YAML text's nesting that the parser would take long to find: open flow brackets
 * (outside quotes and comments) and compact sequence entries (`- - - x`) on one line.
 */
function yamlNesting(text: string): number {
  let deepest = 0;
  let flow = 0;
  let quote: string | undefined;
  let lineStart = true;
  let compact = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      lineStart = true;
      compact = 0;
      continue;
    }
    if (quote) {
      lineStart = false;
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (lineStart) {
      if (c === " ") continue;
      if (c === "-" && text[i + 1] === " ") {
        compact++;
        deepest = Math.max(deepest, compact);
        i++;
        continue;
      }
      lineStart = false;
    }
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:,[{-]/.test(text[i - 1])) quote = c;
    } else if (c === "[" || c === "{") deepest = Math.max(deepest, ++flow);
    else if ((c === "]" || c === "}") && flow > 0) flow--;
  }
  return deepest;
}

/** One YAML document of a file (a stack file, Pulumi.yaml), or an InputFileError naming it. */
export function parseYamlFile(text: string, shown: string): unknown {
  return oneDocument(parseYamlTrees(text), shown).value;
}

/** A file's one document: its value, syntax tree (absent for an empty file) and line positions. */
export interface YamlFileTree {
  value: unknown;
  tree?: Document.Parsed;
  lines: LineCounter;
}

function oneDocument(parsed: ParsedYaml | { problem: string }, shown: string): YamlFileTree {
  if ("problem" in parsed) throw new InputFileError(shown, `${parsed.problem}`);
  if (parsed.docs.length > 1)
    throw new InputFileError(shown, `holds ${parsed.docs.length} YAML documents; expected one`);
  return { value: parsed.docs[0], tree: parsed.trees[0], lines: parsed.lines };
}

/**
 * The last stack file's text and value: a WeakRef to it when it is an object (a thousand apps' value is
 * tens of megabytes), else the value itself.
 */
let lastStackFile: { text: string; value: unknown } | undefined;

/**
 * parseYamlFile for a stack file: the offline plan and the program's secret check each read
 * `Pulumi.<stack>.yaml`, and the same text is parsed once while its value is in use (at 1000 apps a
 * parse takes seconds). The value is shared: never modify it.
 */
export function parseStackFileYaml(text: string, shown: string): unknown {
  if (lastStackFile?.text === text) {
    const kept = lastStackFile.value instanceof WeakRef ? lastStackFile.value.deref() : lastStackFile.value;
    if (kept !== undefined) return kept;
  }
  const value = parseYamlFile(text, shown);
  lastStackFile = { text, value: value !== null && typeof value === "object" ? new WeakRef(value) : value };
  return value;
}

/** parseYamlFile's document with its syntax tree and line positions, for `file:line` in messages. */
export function parseYamlFileTree(text: string, shown: string): YamlFileTree {
  return oneDocument(parseYamlTrees(text), shown);
}
