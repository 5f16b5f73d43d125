/**
 * components/inputFile.ts, YAML as hostile input, text by text: the nesting bound taken before the
 * parser (brackets outside quotes and comments, compact sequences), the bound on values, parser errors
 * by code and line, one document per file, the stack file parsed once. Pure; mutation testing runs it
 * for components/inputFile.ts.
 */
import { strict as assert } from "node:assert";
import {
  InputFileError,
  MAX_DEPTH,
  parseStackFileYaml,
  parseYamlFile,
  parseYamlFileTree,
  parseYamlInput,
} from "../components/inputFile";

const DEEP = `nests deeper than ${MAX_DEPTH} levels`;
const open = (n: number, c = "[") => c.repeat(n);
const close = (n: number, c = "]") => c.repeat(n);
/** What parseYamlInput makes of a text: its documents, or its problem. */
const read = (text: string) => {
  const r = parseYamlInput(text);
  return "problem" in r ? r.problem : r.docs;
};

describe("components/inputFile (unit)", () => {
  it("takes nesting up to the bound and refuses it one level deeper, flow or compact", () => {
    const rows: [string, string, unknown][] = [
      ["64 flow sequences", `${open(64)}${close(64)}`, "ok"],
      ["65 flow sequences", `${open(65)}${close(65)}`, DEEP],
      ["65 flow mappings", `${open(64, "{")}a: {}${close(64, "}")}`, DEEP],
      ["64 compact entries", `${"- ".repeat(64)}x`, "ok"],
      ["65 compact entries", `${"- ".repeat(65)}x`, DEEP],
      ["65 compact entries, indented", `  ${"- ".repeat(65)}x`, DEEP],
      // Compact entries count per line: 70 lines of one entry are one level.
      ["70 lines of one entry", Array.from({ length: 70 }, () => "- x").join("\n"), "ok"],
      ["65 brackets opened after stray closing ones", `a: ${close(5)}${open(65)}`, DEEP],
      // Brackets in quotes and comments are text.
      ["brackets in double quotes", `a: "${open(100)}"`, "ok"],
      ["brackets after an escaped quote", `a: "x\\"${open(100)}"`, "ok"],
      ["brackets in single quotes", `a: '${open(100)}'`, "ok"],
      ["brackets in a comment", `a: 1 # ${open(100)}`, "ok"],
      ["brackets in a comment at the start", `# ${open(100)}\na: 1`, "ok"],
      ["brackets after a closed quote", `a: "x"\nb: ${open(65)}${close(65)}`, DEEP],
      // A quoted scalar goes on over lines: its brackets and dashes are text.
      ["brackets in a quote over two lines", `a: "x\n ${open(100)}"`, "ok"],
      ["dashes in a quote over two lines", `a: "x\n  ${"- ".repeat(70)}"`, "ok"],
      ["a comment ends at the line's end", `a: 1 # x\nb: ${open(65)}${close(65)}`, DEEP],
      // A # inside a word and a quote inside a word start nothing (the bound is an upper bound).
      ["a # inside a word", `a: b#${open(65)}${close(65)}`, DEEP],
      ["a quote inside a word", `a: b'${open(65)}${close(65)}`, DEEP],
      ["a quote after a comma", `a: [x,'${open(100)}']`, "ok"],
      // What the bound must not refuse: closed collections, quotes and comments that start the text or
      // touch their brackets, dashes inside a line.
      ["70 closed flow sequences", Array.from({ length: 70 }, (_, i) => `k${i}: [1]`).join("\n"), "ok"],
      ["70 closed flow mappings", Array.from({ length: 70 }, (_, i) => `k${i}: {a: 1}`).join("\n"), "ok"],
      ["a quote that starts the text", `"${open(100)}"`, "ok"],
      ["a comment touching its brackets", `a: 1 #${open(100)}`, "ok"],
      ["dashes inside a line", `a: ${"x - ".repeat(70)}y`, "ok"],
      // Block mappings nest too: their values are held to the bound.
      [
        "66 block mappings",
        `${Array.from({ length: 66 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} 1`,
        DEEP,
      ],
    ];
    assert.deepEqual(
      rows.map(([what, text]) => {
        const r = read(text);
        return [what, text, Array.isArray(r) ? "ok" : r];
      }),
      rows,
    );
  });

  it("names a parser error by its code and line, never quoting the text", () => {
    assert.deepEqual(read("a: 1\nb: [\n c: d\n  - secret-value"), "is not YAML (line 4: bad indent)");
    // An alias without its anchor is no alias bomb (it was called one).
    assert.deepEqual(read("a: 1\nb: *nowhere\n"), "is not YAML: an alias names no anchor set before it");
    assert.deepEqual(read("b: *later\na: &later 1\n"), "is not YAML: an alias names no anchor set before it");
    assert.deepEqual(read("a: &x [1]\nb: [*x, *x]\n"), [{ a: [1], b: [[1], [1]] }]);
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of "bcd")
      bomb.push(
        `${name}: &${name} [${Array(10)
          .fill(`*${bomb.length === 1 ? "a" : String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    assert.deepEqual(
      read(bomb.join("\n")),
      "expands aliases past 100 (an alias bomb?); write the values out",
    );
  });

  it("reads every document of a text; a file holds one, or none when empty", () => {
    assert.deepEqual(read("a: 1\n---\nb: 2\n"), [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(read(""), []);
    assert.equal(parseYamlFile("", "f.yaml"), undefined);
    assert.deepEqual(parseYamlFile("a: 1", "f.yaml"), { a: 1 });
    const refused = (text: string) => {
      try {
        parseYamlFile(text, "f.yaml");
      } catch (err) {
        assert.ok(err instanceof InputFileError);
        return [err.file, err.reason, err.message];
      }
      return undefined;
    };
    assert.deepEqual(refused("a: 1\n---\nb: 2\n---\nc: 3"), [
      "f.yaml",
      "holds 3 YAML documents; expected one",
      "f.yaml: holds 3 YAML documents; expected one",
    ]);
    assert.deepEqual(refused("a: [\n"), [
      "f.yaml",
      "is not YAML (line 2: bad indent)",
      "f.yaml: is not YAML (line 2: bad indent)",
    ]);
    assert.deepEqual(refused(`${open(65)}${close(65)}`), ["f.yaml", DEEP, `f.yaml: ${DEEP}`]);
  });

  it("gives a file's tree and line positions", () => {
    const { value, tree, lines } = parseYamlFileTree("a: 1\nb: 2\n", "f.yaml");
    assert.deepEqual(value, { a: 1, b: 2 });
    assert.deepEqual(tree?.toJS(), { a: 1, b: 2 });
    assert.deepEqual(lines.linePos(6), { line: 2, col: 2 });
    const empty = parseYamlFileTree("", "f.yaml");
    assert.equal(empty.value, undefined);
    assert.equal(empty.tree?.contents ?? null, null);
  });

  it("parses the same stack file once while its value lives, and another text afresh", () => {
    const text = `a: {b: ${process.pid}}`;
    const first = parseStackFileYaml(text, "s.yaml");
    assert.equal(parseStackFileYaml(text, "s.yaml"), first);
    const other = parseStackFileYaml(`${text}\nc: 1`, "s.yaml");
    assert.deepEqual(other, { a: { b: process.pid }, c: 1 });
    assert.notEqual(parseStackFileYaml(text, "s.yaml"), first, "a new text replaced the kept one");
    assert.equal(parseStackFileYaml("5", "s.yaml"), 5);
    assert.equal(parseStackFileYaml("5", "s.yaml"), 5);
    assert.equal(parseStackFileYaml("", "s.yaml"), undefined);
  });
});
