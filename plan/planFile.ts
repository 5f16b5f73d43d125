/**
 * A plan.json read back as hostile input (`--compare`, `--platform-plan`, `plan:comment`, `verify
 * --plan`): a regular file, at most SIZE_CAPS.planFile, JSON, and the keys the readers use checked for
 * type. Every problem names the file and the key; a truncated file names the key it stops in.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { SIZE_CAPS, parseJsonInput, readInputFile, shownPath } from "../components/inputFile";
import type { Plan } from "./planTypes";

/** A plan file that is there but not a plan: refused, naming the file and key. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanFileError";
  }
}

const resource = z.looseObject({
  urn: z.string(),
  type: z.string(),
  name: z.string(),
  parent: z.string().optional(),
  dependsOn: z.array(z.string()).optional(),
  inputs: z.record(z.string(), z.unknown()),
  protect: z.boolean().optional(),
  retainOnDelete: z.boolean().optional(),
});

const planShape = z.looseObject({
  stack: z.string().min(1),
  project: z.string().min(1).optional(),
  resources: z.array(resource),
  outputs: z.record(z.string(), z.unknown()).optional(),
  violations: z
    .array(
      z.looseObject({
        policy: z.string(),
        urn: z.string(),
        message: z.string(),
        enforcementLevel: z.string(),
      }),
    )
    .optional(),
  loosened: z.array(z.looseObject({ policy: z.string() })).optional(),
  checks: z.array(z.looseObject({ tool: z.string(), status: z.string() })).optional(),
  alertRouting: z.array(z.unknown()).optional(),
});

const keyPath = (p: readonly PropertyKey[]) =>
  p.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");

/** The shape problem of a parsed plan as `key: expected …`, or undefined. Pure. */
export function planShapeProblem(json: unknown, needProject = false): string | undefined {
  if (!json || typeof json !== "object" || Array.isArray(json))
    return "the file: expected a JSON object (stack, project, resources)";
  const parsed = planShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const expected =
      issue.code === "invalid_type"
        ? `expected ${issue.expected}`
        : issue.message.replace(/^Invalid input: /, "").toLowerCase();
    return `${keyPath(issue.path) || "the file"}: ${expected}`;
  }
  if (needProject && parsed.data.project === undefined) return "project: expected string";
  return undefined;
}

/**
 * The plan in `file`, or a PlanFileError: `<file>: <key>: expected …; not a plan.json written by npm run
 * plan`. `needProject`: the caller compares projects (`--compare`, `--platform-plan`).
 */
export function readPlanJson(file: string, needProject = false): Plan {
  const shown = shownPath(file);
  let json: unknown;
  try {
    json = parseJsonInput(readInputFile(file, { maxBytes: SIZE_CAPS.planFile, shown }), shown);
  } catch (err) {
    throw new PlanFileError((err as Error).message);
  }
  const problem = planShapeProblem(json, needProject);
  if (problem) throw new PlanFileError(`${shown}: ${problem}; not a plan.json written by npm run plan`);
  return { violations: [], loosened: [], checks: [], outputs: {}, ...(json as object) } as unknown as Plan;
}

/** How plan.json begins as the plan writes it (planWriter.ts): its stack, its project, its resources. */
const PLAN_HEAD =
  /^\{\n {2}"stack": "(?:[^"\\\n]|\\.)+",\n(?: {2}"project": "(?:[^"\\\n]|\\.)+",\n)? {2}"resources": \[/;

/**
 * Whether `file` is a plan.json the plan wrote: a regular file that begins as the writer begins one.
 * Reads its first kilobytes only (an earlier plan of a thousand apps is tens of megabytes): for deciding
 * that a directory is an earlier plan's output, which the next plan may replace.
 */
export function isPlanJson(file: string): boolean {
  let fd: number;
  try {
    // Non-blocking: a FIFO in its place cannot hang the plan.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(4096);
    const length = fs.readSync(fd, head, 0, head.length, 0);
    return PLAN_HEAD.test(head.subarray(0, length).toString("utf8"));
  } finally {
    fs.closeSync(fd);
  }
}
