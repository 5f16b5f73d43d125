// The project's TypeScript loader for its own commands and specs (`node -r ./plan/register.js`); the
// Pulumi CLI keeps its own ts-node settings, and `npm run typecheck` / `npm run lint` check the types.
//
// Each .ts file is transpiled to CommonJS by swc with the options ts-node derives from tsconfig.json
// (its target, esModuleInterop, useDefineForClassFields and experimentalDecorators are read from it),
// and the result and its source map are kept in node_modules/.cache/kube-monitoring-ts/, one file per
// source path of the project, headed by a hash of what produced it and a checksum of what it holds: a
// process whose sources did not change loads neither swc nor TypeScript, and an entry that does not
// match (an edited file, a damaged entry) is transpiled again. Files outside the project (scratch copies
// under the temporary directory) are transpiled without being kept. Stack traces are mapped back to the
// TypeScript lines when one is printed (source-map-support, as ts-node does), not as each module loads
// (Node's own source maps cost ≈0.2 s per process here).
//
// TypeScript itself is loaded on first use: the Pulumi SDK requires it as it starts (≈0.35 s of a 2-core
// machine) for serialising function closures, which nothing here does.
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const root = fs.realpathSync(path.resolve(__dirname, ".."));

/** swc's options from tsconfig.json's compiler options, as ts-node maps them for CommonJS output. */
function swcOptions() {
  const file = path.join(root, "tsconfig.json");
  let compilerOptions;
  try {
    ({ compilerOptions = {} } = JSON.parse(fs.readFileSync(file, "utf8")));
  } catch (err) {
    throw new Error(
      `${file}: ${err instanceof Error ? err.message : String(err)} (the loader reads it as JSON)`,
    );
  }
  const target = String(compilerOptions.target ?? "es5").toLowerCase();
  const year = target === "esnext" ? Infinity : Number(/^es(\d{4})$/.exec(target)?.[1] ?? 2015);
  return {
    swcrc: false,
    sourceMaps: true,
    module: {
      type: "commonjs",
      noInterop: !compilerOptions.esModuleInterop,
      strictMode: true,
      ignoreDynamic: true,
    },
    jsc: {
      parser: {
        syntax: "typescript",
        tsx: false,
        dynamicImport: true,
        decorators: Boolean(compilerOptions.experimentalDecorators),
      },
      target,
      keepClassNames: true,
      transform: {
        legacyDecorator: true,
        decoratorMetadata: Boolean(compilerOptions.emitDecoratorMetadata),
        // TypeScript's default: define semantics from ES2022 on.
        useDefineForClassFields: compilerOptions.useDefineForClassFields ?? year >= 2022,
      },
    },
  };
}

const options = swcOptions();
const stamp = `${require("@swc/core/package.json").version} ${JSON.stringify(options)}`;
// A mutation-testing sandbox (a fresh copy of the tree per run, sharing node_modules) keeps nothing.
const cacheDir = root.split(path.sep).includes(".stryker-tmp")
  ? undefined
  : path.join(root, "node_modules", ".cache", "kube-monitoring-ts");
const inProject = (filename) =>
  filename.startsWith(root + path.sep) &&
  !filename.slice(root.length).split(path.sep).includes("node_modules");

/** Each loaded file's source map (JSON text), read when a stack trace is printed. */
const maps = new Map();

let swc;
function transpiled(source, filename) {
  swc ??= require("@swc/core");
  const { code, map } = swc.transformSync(source, { ...options, filename });
  maps.set(filename, map);
  return { code, map };
}

const sha256 = (...parts) => {
  const hash = crypto.createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
};

/** The JavaScript of a TypeScript file, from the cache when its entry matches; its map goes to `maps`. */
function cached(source, filename) {
  if (!cacheDir || !inProject(filename)) return transpiled(source, filename).code;
  const key = sha256(stamp, filename, source);
  const file = path.join(cacheDir, `${sha256(filename)}.js`);
  try {
    // `//<key> <checksum of the rest> <length of the code>`, the code, then its map
    const text = fs.readFileSync(file, "utf8");
    const header = /^\/\/([0-9a-f]{64}) ([0-9a-f]{64}) (\d+)\n/.exec(text);
    if (header?.[1] === key) {
      const body = text.slice(header[0].length);
      const length = Number(header[3]);
      if (length <= body.length && sha256(body) === header[2]) {
        maps.set(filename, body.slice(length));
        return body.slice(0, length);
      }
    }
  } catch {
    // not cached yet
  }
  const { code, map } = transpiled(source, filename);
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(temporary, `//${key} ${sha256(code + map)} ${code.length}\n${code}${map}`);
    fs.renameSync(temporary, file);
  } catch {
    // a read-only or full disk still runs, transpiling every time
    fs.rmSync(temporary, { force: true });
  }
  return code;
}

/**
 * Fills the cache for `files` (paths of TypeScript files) before processes that load them start side
 * by side: `npm test` starts five at once, which would otherwise each transpile the same files.
 */
function warm(files) {
  for (const file of files) {
    try {
      const filename = fs.realpathSync(file);
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
  // An uncaught error's first line names the TypeScript line too, as under ts-node.
  handleUncaughtExceptions: true,
  hookRequire: false,
  retrieveSourceMap: (source) => {
    if (!maps.has(source)) return null;
    try {
      return { url: source, map: JSON.parse(maps.get(source)) };
    } catch {
      return null;
    }
  },
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
        getPrototypeOf: () => Reflect.getPrototypeOf(load()),
        set: (_, key, value) => Reflect.set(load(), key, value),
        defineProperty: (_, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
        deleteProperty: (_, key) => Reflect.deleteProperty(load(), key),
      },
    );
    require.cache[resolved] = placeholder;
  }
} catch {
  // no TypeScript installed: nothing to defer
}
