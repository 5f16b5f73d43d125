// npm run verify -- <stack> --prometheus-url URL --alertmanager-url URL [--thanos-query-url URL]
//   [--plan out/<stack>/plan.json] [--wait 5m] [--format text|json] [--send-test-alert RECEIVER]
// npm run verify -- <stack> --expectations [--format text|json]
//
// After `pulumi up`: asks the live Prometheus, Alertmanager and Thanos Query whether what the plan
// deployed really works; with --expectations, prints what it would check and asks nothing. Credentials
// come from the environment, never flags: KUBE_MONITORING_VERIFY_TOKEN (bearer) or
// KUBE_MONITORING_VERIFY_USER and _PASSWORD (basic auth). Exit 0 every check passed, 1 a check failed,
// 3 an API could not be reached or answered nonsense. The modules: verify/expectations.ts (the plan's
// side), verify/client.ts, verify/checks.ts, verify/testAlert.ts, verify/format.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { helpText, parseCommandLine } from "./cliHelp";
import { VERIFY_HELP } from "./helpTexts";
import { parseYamlInput } from "../components/inputFile";
import { urlCarriesCredentials } from "../components/schemaPrimitives";
import { durationSeconds } from "../policies/units";
import { progressLine, remaining } from "./progress";
import { logSafe } from "./escape";
import type { Plan } from "./planTypes";
import { readPlanJson } from "./planFile";
import { ANSWERS, getAnswer } from "./verifyApi";
import { ApiError, Client, httpClient, join } from "./verify/client";
import { Endpoints, verifyOnce } from "./verify/checks";
import { expectationsOf } from "./verify/expectations";
import { CheckResult, formatExpectations, formatText } from "./verify/format";
import { sendTestAlert } from "./verify/testAlert";

export { ApiError, httpClient, type Client } from "./verify/client";
export { verifyOnce, type Endpoints } from "./verify/checks";
export { chartScrapePools, expectationsOf, type Expectations } from "./verify/expectations";
export { formatExpectations, formatText, type CheckResult } from "./verify/format";
export { testAlertLabels } from "./verify/testAlert";

export interface VerifyOptions {
  readonly stack: string;
  readonly endpoints: Endpoints;
  readonly plan: Pick<Plan, "resources" | "stack">;
  /** Keep trying until every check passes or this many seconds have passed. */
  readonly waitSeconds?: number;
  readonly client?: Client;
  /**
   * Called before each retry (a progress indicator): the checks failing (-1: an API did not answer),
   * the time left to wait, and the number of the try that just ended.
   */
  readonly onRetry?: (failed: number, leftMs: number, attempt: number) => void;
  /** Between tries. @default 5000 */
  readonly retryMs?: number;
  /** Once every check passes: a test alert through this receiver alone. */
  readonly sendTestAlert?: string;
}

export interface VerifyResult {
  readonly exitCode: 0 | 1 | 3;
  readonly results: CheckResult[];
  readonly error?: string;
}

export async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const client = opts.client ?? httpClient();
  const exp = expectationsOf(opts.plan);
  const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
  const pause = () => new Promise<void>((r) => setTimeout(r, opts.retryMs ?? 5000));
  let attempt = 0;
  for (;;) {
    attempt++;
    let results: CheckResult[];
    try {
      results = await verifyOnce(client, opts.endpoints, exp);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (Date.now() >= deadline) return { exitCode: 3, results: [], error: err.message };
      opts.onRetry?.(-1, deadline - Date.now(), attempt);
      await pause();
      continue;
    }
    const failed = results.filter((r) => !r.ok).length;
    if (!failed && opts.sendTestAlert) {
      try {
        const statusUrl = join(opts.endpoints.alertmanager, "/api/v2/status");
        const status = await getAnswer(client, statusUrl, ANSWERS.amStatus, "an Alertmanager status answer");
        const parsed = parseYamlInput(status.config.original);
        if ("problem" in parsed) throw new ApiError(statusUrl, `config.original ${parsed.problem}`);
        const route = ((parsed.docs[0] ?? {}) as { route?: object }).route ?? {};
        const sent = await sendTestAlert(client, opts.endpoints, route, opts.sendTestAlert);
        return { exitCode: sent.ok ? 0 : 1, results: [...results, sent] };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return { exitCode: 3, results, error: err.message };
      }
    }
    if (!failed) return { exitCode: 0, results };
    if (Date.now() >= deadline) return { exitCode: 1, results };
    opts.onRetry?.(failed, deadline - Date.now(), attempt);
    await pause();
  }
}

export async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      "prometheus-url": { type: "string" },
      "alertmanager-url": { type: "string" },
      "thanos-query-url": { type: "string" },
      plan: { type: "string" },
      wait: { type: "string", default: "0s" },
      format: { type: "string", default: "text" },
      expectations: { type: "boolean", default: false },
      "send-test-alert": { type: "string" },
    },
    VERIFY_HELP,
  );
  if (line.kind !== "run") {
    (line.kind === "help" ? console.log : console.error)(line.text);
    return line.kind === "help" ? 0 : 1;
  }
  const { positionals } = line;
  const values = { ...line.values, wait: line.values.wait ?? "0s", format: line.values.format ?? "text" };
  const usage = helpText(VERIFY_HELP);
  const [stack] = positionals;
  const waitSeconds = durationSeconds(values.wait);
  const needsUrls = !values.expectations;
  if (
    !stack ||
    positionals.length > 1 ||
    (needsUrls && (!values["prometheus-url"] || !values["alertmanager-url"]))
  ) {
    console.error(usage);
    return 1;
  }
  if (waitSeconds === undefined || !["text", "json"].includes(values.format)) {
    console.error(`--wait takes a duration (like 5m), --format text or json\n${usage}`);
    return 1;
  }
  for (const flag of ["prometheus-url", "alertmanager-url", "thanos-query-url"] as const) {
    const url = values[flag];
    if (url === undefined) continue;
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
      console.error(`--${flag}: not an http(s) URL`);
      return 1;
    }
    // Never echoed: it may hold exactly what it must not.
    if (urlCarriesCredentials(url)) {
      console.error(
        `--${flag}: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead`,
      );
      return 1;
    }
  }
  const planFile = values.plan ?? path.join("out", stack, "plan.json");
  if (!fs.existsSync(planFile)) {
    console.error(`${planFile}: no plan; run npm run plan -- ${stack} first, or name one with --plan`);
    return 1;
  }
  let plan: Plan;
  try {
    plan = readPlanJson(planFile);
  } catch (err) {
    console.error(logSafe((err as Error).message));
    return 1;
  }
  if (plan.stack !== stack) {
    console.error(`${planFile}: a plan of stack ${JSON.stringify(plan.stack)}, not ${JSON.stringify(stack)}`);
    return 1;
  }
  const text = values.format === "text";
  if (values.expectations) {
    // What would be checked; no API is asked.
    const exp = expectationsOf(plan);
    console.log(
      text ? formatExpectations(stack, exp) : JSON.stringify({ stack, expectations: exp }, null, 2),
    );
    return 0;
  }
  // On a terminal, while --wait retries; quiet in CI and in files.
  const progress = progressLine();
  const result = await verify({
    sendTestAlert: values["send-test-alert"],
    stack,
    plan,
    waitSeconds,
    endpoints: {
      prometheus: values["prometheus-url"]!,
      alertmanager: values["alertmanager-url"]!,
      thanosQuery: values["thanos-query-url"],
    },
    onRetry: (failed, leftMs, attempt) =>
      progress.update(
        `verify ${stack}: try ${attempt}: ${failed < 0 ? "an API did not answer" : `${failed} check${failed === 1 ? "" : "s"} failing`}; ` +
          `trying again for ${remaining(leftMs)} more`,
      ),
  });
  progress.done();
  if (text) {
    // Server responses are input: control characters and workflow commands neutralised.
    console.log(
      logSafe(result.error ? `cannot verify ${stack}: ${result.error}` : formatText(result.results)),
    );
  } else {
    console.log(
      JSON.stringify(
        { stack, exitCode: result.exitCode, error: result.error, checks: result.results },
        null,
        2,
      ),
    );
  }
  return result.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
