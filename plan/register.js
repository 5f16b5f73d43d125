// The project's TypeScript loader for its own commands and specs (`node -r ./plan/register.js`); the
// Pulumi CLI keeps its own ts-node settings, and `npm run typecheck` / `npm run lint` check the types.
//
// Each .ts file is transpiled to CommonJS by swc with the options ts-node derives from tsconfig.json
// (ES2022, CommonJS with esModuleInterop, define semantics for class fields), and the result and its
// source map are kept in node_modules/.cache/kube-monitoring-ts/, one file per source path, headed by a
// hash of what produced it: a process whose sources did not change loads neither swc nor TypeScript.
// Stack traces are mapped back to the TypeScript lines when one is printed (source-map-support, as
// ts-node does), not as each module loads (Node's own source maps cost ≈0.2 s per process here).
//
// TypeScript itself is loaded on first use: the Pulumi SDK requires it as it starts (≈0.35 s of a 2-core
// machine) for serialising function closures, which nothing here does.
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const swcVersion = require("@swc/core/package.json").version;
const options = {
  swcrc: false,
  sourceMaps: true,
  module: { type: "commonjs", noInterop: false, strictMode: true, ignoreDynamic: true },
  jsc: {
    parser: { syntax: "typescript", tsx: false, dynamicImport: true },
    target: "es2022",
    keepClassNames: true,
    transform: { useDefineForClassFields: true },
  },
};
const stamp = `${swcVersion} ${JSON.stringify(options)}`;
// A mutation-testing sandbox (a fresh copy of the tree per run, sharing node_modules) keeps nothing.
const cacheDir = root.split(path.sep).includes(".stryker-tmp")
  ? undefined
  : path.join(root, "node_modules", ".cache", "kube-monitoring-ts");

/** Each loaded file's source map (JSON text), read when a stack trace is printed. */
const maps = new Map();

let swc;
function transpiled(source, filename) {
  swc ??= require("@swc/core");
  const { code, map } = swc.transformSync(source, { ...options, filename });
  maps.set(filename, map);
  return { code, map };
}
const transpile = (source, filename) => transpiled(source, filename).code;

/** The cached JavaScript of a TypeScript file; its map goes to `maps`. */
function cached(source, filename) {
  if (!cacheDir) return transpile(source, filename);
  const hash = crypto.createHash("sha256").update(stamp).update("\0").update(filename).update("\0");
  const key = hash.update(source).digest("hex");
  const file = path.join(cacheDir, `${crypto.createHash("sha256").update(filename).digest("hex")}.js`);
  try {
    // `//<key> <length of the code>`, the code, then its map
    const text = fs.readFileSync(file, "utf8");
    const header = /^\/\/([0-9a-f]{64}) (\d+)\n/.exec(text);
    if (header?.[1] === key) {
      const end = header[0].length + Number(header[2]);
      maps.set(filename, text.slice(end));
      return text.slice(header[0].length, end);
    }
  } catch {
    // not cached yet
  }
  const { code, map } = transpiled(source, filename);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(temporary, `//${key} ${code.length}\n${code}${map}`);
    fs.renameSync(temporary, file);
  } catch {
    // a read-only tree still runs, transpiling every time
  }
  return code;
}

/**
 * Fills the cache for `files` (absolute paths of TypeScript files) before processes that load them start
 * side by side: `npm test` starts five at once, which would otherwise each transpile the same files.
 */
function warm(files) {
  for (const filename of files) {
    try {
      cached(fs.readFileSync(filename, "utf8"), filename);
    } catch {
      // a file swc cannot parse: the process that loads it reports the error, and the type-check job too
    }
  }
}
module.exports = { warm };

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(cached(fs.readFileSync(filename, "utf8"), filename), filename);
};
require("source-map-support").install({
  environment: "node",
  handleUncaughtExceptions: false,
  hookRequire: false,
  retrieveSourceMap: (source) => (maps.has(source) ? { url: source, map: maps.get(source) } : null),
});

// TypeScript on first use.
try {
  const resolved = require.resolve("typescript", {
    paths: [path.join(root, "node_modules", "@pulumi", "pulumi")],
  });
  if (!require.cache[resolved]) {
    let real;
    const load = () => {
      if (!real) {
        delete require.cache[resolved];
        real = require(resolved);
      }
      return real;
    };
    const placeholder = new Module(resolved, module);
    placeholder.filename = resolved;
    placeholder.loaded = true;
    placeholder.exports = new Proxy(
      {},
      {
        get: (_, key) => load()[key],
        has: (_, key) => key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, key) => {
          const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
          return descriptor && { ...descriptor, configurable: true };
        },
        set: (_, key, value) => Reflect.set(load(), key, value),
      },
    );
    require.cache[resolved] = placeholder;
  }
} catch {
  // no TypeScript installed: nothing to defer
}
