/**
 * Reads a project's Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands config to a
 * program: fully qualified keys, objects as JSON text, scalars as text. `secure:` values cannot be
 * decrypted here, so they become a placeholder secret and their keys are marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../components/config";

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

export function loadStackFile(projectDir: string, stack: string): StackFile {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(projectFile)) {
    throw new ConfigError([
      `${stack}: no Pulumi.yaml in ${projectDir}; the config directory needs the project file beside ` +
        `Pulumi.${stack}.yaml (copy or link the project's Pulumi.yaml there)`,
    ]);
  }
  const project = parseYamlFile(projectFile) as {
    name: string;
    config?: Record<string, ProjectConfigDeclaration>;
  };
  const stackPath = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackPath)) {
    throw new ConfigError([`${stack}: no stack file ${path.basename(stackPath)} in ${projectDir}`]);
  }
  const stackDoc = (parseYamlFile(stackPath) ?? {}) as { config?: Record<string, unknown> };

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

/** A YAML file's content; a syntax error names the file, line and column, never a stack trace. */
export function parseYamlFile(file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const what = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError([`${path.basename(file)}:${line}:${col}: not valid YAML: ${what}`]);
  }
  return doc.toJS();
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
