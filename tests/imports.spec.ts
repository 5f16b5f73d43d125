/**
 * Layers without a circle: no source module imports itself back through others, type imports
 * included (one value import would turn a type-only loop into a runtime cycle).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const SOURCES = ["components", "plan", "policies", "teams", "bench"];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']/g;

function sourceFiles(): string[] {
  const files = [path.join(root, "index.ts")];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") walk(full);
      else if (entry.isFile() && full.endsWith(".ts") && !full.endsWith(".d.ts")) files.push(full);
    }
  };
  for (const dir of SOURCES) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return files;
}

/** Each module's relative imports, resolved to files. */
export function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const deps = [...fs.readFileSync(file, "utf8").matchAll(IMPORT)]
        .map((m) => path.resolve(path.dirname(file), m[1]))
        .flatMap((target) =>
          [`${target}.ts`, path.join(target, "index.ts"), target].filter((c) => known.has(c)).slice(0, 1),
        );
      return [file, deps];
    }),
  );
}

/** Strongly connected components of more than one module (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(root, w));
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("module layers", () => {
  it("have no import cycle, type imports included", () => {
    assert.deepEqual(cycles(importGraph(sourceFiles())), []);
  });

  it("would see a cycle that goes through a type-only import or a re-export", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-imports-"));
    try {
      const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
      write("a.ts", 'import type { B } from "./b";\nexport type A = B;\n');
      write("b.ts", 'export { C as B } from "./c";\n');
      write("c.ts", 'import {\n  A,\n} from "./a";\nexport type C = A;\n');
      write("d.ts", 'import { A } from "./a";\n');
      const files = ["a.ts", "b.ts", "c.ts", "d.ts"].map((f) => path.join(dir, f));
      assert.deepEqual(
        cycles(importGraph(files)).map((c) => c.map((f) => path.basename(f))),
        [["a.ts", "b.ts", "c.ts"]],
      );
      write("c.ts", "export type C = number;\n");
      assert.deepEqual(cycles(importGraph(files)), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
