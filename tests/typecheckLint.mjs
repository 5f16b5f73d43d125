// The type-check and the lint in one process, over one TypeScript program: `tsc --noEmit -p .` and a
// type-aware `eslint .` would each build the same program (about 1,700 files, most of them the SDKs'
// declarations), so `npm test` builds it once, reports its diagnostics as tsc does, and hands it to
// ESLint (typescript-eslint's `parserOptions.programs`). `npm run typecheck` and `npm run lint` still run
// the tools on their own. Exit 1 if either finds anything.
import * as path from "node:path";
import ts from "typescript";
import { ESLint } from "eslint";

const root = path.resolve(import.meta.dirname, "..");
const configFile = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
if (configFile.error) {
  process.stderr.write(ts.formatDiagnostics([configFile.error], host()));
  process.exit(1);
}
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: { ...parsed.options, noEmit: true },
});
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length) {
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host()));
}

// Files outside the program (the .mjs configs) are linted without type information, as the config says.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: false, programs: [program] } },
  },
});
const results = await eslint.lintFiles(["."]);
const lintErrors = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
if (lintErrors) process.stdout.write(await (await eslint.loadFormatter("stylish")).format(results));

const files = program.getRootFileNames().length;
process.stdout.write(
  `type-check: ${diagnostics.length} error(s) in ${files} files; lint: ${lintErrors} problem(s) in ${results.length} files\n`,
);
process.exit(diagnostics.length || lintErrors ? 1 : 0);

function host() {
  return {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
}
