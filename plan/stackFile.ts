/**
 * Reads a project's Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands config to a
 * program: fully qualified keys, objects as JSON text, scalars as text. `secure:` values cannot be
 * decrypted here, so they become a placeholder secret and their keys are marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../components/config";
import {
  SIZE_CAPS,
  parseStackFileYaml,
  parseYamlFile,
  readInputFile,
  shownPath,
} from "../components/inputFile";

/** Stands in for every `secure:` value; tests assert it never reaches a plan or manifest. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

export interface StackFile {
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
}

interface ProjectConfigDeclaration {
  default?: unknown;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A YAML file of the project, read as hostile input (see components/inputFile.ts). */
export function readYamlFile(file: string, within?: string): unknown {
  const shown = shownPath(file);
  return parseYamlFile(readInputFile(file, { maxBytes: SIZE_CAPS.stackFile, within, shown }), shown);
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` in `projectDir`; `within` is where they must stay once
 * symlinks are followed (the project, unless a config directory was named). Throws InputFileError or
 * ConfigError naming the file and key.
 */
export function loadStackFile(projectDir: string, stack: string, within?: string): StackFile {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(projectDir)) {
    throw new ConfigError([`${stack}: the config directory ${projectDir} does not exist`]);
  }
  if (!fs.existsSync(projectFile)) {
    throw new ConfigError([
      `${stack}: no Pulumi.yaml in ${projectDir}; the config directory needs the project file beside ` +
        `Pulumi.${stack}.yaml (copy or link the project's Pulumi.yaml there)`,
    ]);
  }
  const project = readYamlFile(projectFile, within) as {
    name: string;
    config?: Record<string, ProjectConfigDeclaration>;
  };
  if (!isMapping(project) || typeof project.name !== "string" || !isMapping(project.config ?? {})) {
    throw new ConfigError([`${shownPath(projectFile)}: expected a Pulumi project (name:, config:)`]);
  }
  const stackPath = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackPath)) {
    throw new ConfigError([`${stack}: no stack file ${path.basename(stackPath)} in ${projectDir}`]);
  }
  const shown = shownPath(stackPath);
  // Parsed once for the program's own reading of it too (parseStackFileYaml).
  const stackText = readInputFile(stackPath, { maxBytes: SIZE_CAPS.stackFile, within, shown });
  const stackDoc = (parseStackFileYaml(stackText, shown) ?? {}) as { config?: Record<string, unknown> };
  if (!isMapping(stackDoc)) throw new ConfigError([`${shown}: expected a mapping (config: …)`]);
  if (!isMapping(stackDoc.config ?? {}))
    throw new ConfigError([`${shown}: config: expected a mapping of keys to values`]);
  const empty = Object.entries(stackDoc.config ?? {}).filter(([, v]) => v === null || v === undefined);
  if (empty.length)
    throw new ConfigError(
      empty.map(([key]) => `${shown}: config.${key}: has no value; set one or remove the key`),
    );

  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  // Project-level defaults first, as the CLI applies them to every stack.
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (decl && typeof decl === "object" && decl.default !== undefined) {
      config[qualify(key)] = toConfigText(decl.default);
    }
  }
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    const { plain, secret } = replaceSecure(value);
    config[qualify(key)] = toConfigText(plain);
    if (secret) secretKeys.push(qualify(key));
  }
  return { project: project.name, config, secretKeys };
}

function toConfigText(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function replaceSecure(value: unknown): { plain: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const parts = value.map(replaceSecure);
    return { plain: parts.map((p) => p.plain), secret: parts.some((p) => p.secret) };
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure")
      return { plain: SECRET_PLACEHOLDER, secret: true };
    const parts = entries.map(([k, v]) => [k, replaceSecure(v)] as const);
    return {
      plain: Object.fromEntries(parts.map(([k, p]) => [k, p.plain])),
      secret: parts.some(([, p]) => p.secret),
    };
  }
  return { plain: value, secret: false };
}
