// npm run backtest -- <stack> --compare OLD_PLAN_JSON --prometheus-url URL [options]: replays the
// alerting rules of two plans over the server's history (see docs/backtest.md).
import * as path from "node:path";
import { CommandHelp, helpText, parseCommandLine } from "./cliHelp";
import { urlCarriesCredentials } from "../components/schemaPrimitives";
import { durationSeconds } from "../policies/units";
import { InputError, readPlanFile } from "./backtest/input";
import { ApiError, DEFAULT_LIMITS, httpFetcher } from "./backtest/query";
import { clean, renderJson, renderMarkdown, renderText } from "./backtest/render";
import { ConfigError } from "./backtest/routing";
import { backtest } from "./backtest/run";
import { ProgressStream, progressLine } from "./progress";
import { stackNameProblem } from "./plan";

export const BACKTEST_HELP: CommandHelp = {
  usage: "npm run backtest -- <stack> --compare OLD_PLAN_JSON --prometheus-url URL [options]",
  description:
    "Replays the alerting rules of an earlier plan (--compare) and of the stack's plan over the range of the\n" +
    "server's history: episodes and firing time per alert, and the notifications each receiver would have got\n" +
    "through each plan's own Alertmanager configuration.",
  options: [
    ["--compare FILE", "the earlier plan.json of the same stack (required)"],
    ["--prometheus-url URL", "Prometheus or Thanos Query, http(s), no credentials in it (required)"],
    ["--plan FILE", "the new plan (default out/<stack>/plan.json)"],
    ["--range DURATION", "how far back from --end (default 7d)"],
    ["--end TIME", "end of the range, RFC 3339 or Unix seconds (default now)"],
    ["--step DURATION", "evaluation step for every rule (default: each rule group's interval)"],
    ["--format FORMAT", "text, json or markdown (default text)"],
    ["--max-series N", `series one query may return (default ${DEFAULT_LIMITS.maxSeries})`],
    ["--query-timeout DUR", `per request (default ${DEFAULT_LIMITS.timeoutMs / 1000}s)`],
  ],
  environment: [
    ["KUBE_MONITORING_VERIFY_TOKEN", "bearer token for the server"],
    ["KUBE_MONITORING_VERIFY_USER", "with _PASSWORD: basic credentials instead"],
  ],
  exitCodes: [
    [0, "backtest done"],
    [1, "bad usage or an invalid plan file"],
    [3, "the server could not be reached or answered something that is not the Prometheus API"],
  ],
  example:
    "npm run backtest -- dev --compare base/dev/plan.json --prometheus-url http://127.0.0.1:9090 \\\n" +
    "    --range 7d --step 1m --format markdown",
};

export const USAGE = helpText(BACKTEST_HELP);

const FORMATS = ["text", "json", "markdown"] as const;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Where the progress line goes on a terminal (default: none; the command line's is stderr). */
  progress?: ProgressStream;
}

function parseTime(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^\d{4}-\d\d-\d\dT/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export async function main(argv: string[], io: CliIo): Promise<0 | 1 | 3> {
  const usageError = (why: string) => {
    io.err(`${clean(why)}\n\n${USAGE}`);
    return 1 as const;
  };
  const line = parseCommandLine(
    argv,
    {
      compare: { type: "string" },
      "prometheus-url": { type: "string" },
      plan: { type: "string" },
      range: { type: "string", default: "7d" },
      end: { type: "string" },
      step: { type: "string" },
      format: { type: "string", default: "text" },
      "max-series": { type: "string", default: String(DEFAULT_LIMITS.maxSeries) },
      "query-timeout": { type: "string", default: `${DEFAULT_LIMITS.timeoutMs / 1000}s` },
    },
    BACKTEST_HELP,
  );
  if (line.kind === "help") {
    io.out(line.text);
    return 0;
  }
  if (line.kind === "error") {
    io.err(line.text);
    return 1;
  }
  const { values, positionals } = line;
  const [stack] = positionals;
  if (!stack || positionals.length > 1) return usageError("name exactly one stack");
  const badStack = stackNameProblem(stack);
  if (badStack) return usageError(badStack);
  if (!values.compare) return usageError("--compare: the earlier plan.json is required");
  const url = values["prometheus-url"];
  if (!url) return usageError("--prometheus-url is required");
  if (!/^https?:\/\//.test(url) || !URL.canParse(url))
    return usageError("--prometheus-url: not an http(s) URL");
  // Never echoed: it may hold exactly what it must not.
  if (urlCarriesCredentials(url)) {
    return usageError(
      "--prometheus-url: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead",
    );
  }
  const rangeS = durationSeconds(values.range);
  if (!rangeS)
    return usageError(`--range: expected a duration such as 7d, not ${JSON.stringify(values.range)}`);
  const stepS = values.step === undefined ? undefined : durationSeconds(values.step);
  if (stepS !== undefined && !(stepS >= 1)) return usageError(`--step: expected a duration of at least 1s`);
  if (values.step !== undefined && stepS === undefined)
    return usageError(`--step: expected a duration such as 1m, not ${JSON.stringify(values.step)}`);
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) return usageError(`--format: expected text, json or markdown`);
  const maxSeries = Number(values["max-series"]);
  if (!Number.isInteger(maxSeries) || maxSeries < 1)
    return usageError("--max-series: expected a positive whole number");
  const timeoutS = durationSeconds(values["query-timeout"]);
  if (!timeoutS) return usageError("--query-timeout: expected a duration such as 30s");
  const endMs = values.end === undefined ? (io.now ?? Date.now)() : parseTime(values.end);
  if (endMs === undefined)
    return usageError("--end: expected RFC 3339 (2025-01-31T00:00:00Z) or Unix seconds");

  const newFile = values.plan ?? path.join("out", stack, "plan.json");
  let plans;
  try {
    plans = [readPlanFile(values.compare, stack), readPlanFile(newFile, stack)];
  } catch (err) {
    if (err instanceof InputError) {
      const hint =
        !values.plan && /cannot read it/.test(err.message)
          ? `; run npm run plan -- ${stack} first, or name one with --plan`
          : "";
      io.err(clean(err.message) + hint);
      return 1;
    }
    throw err;
  }
  const limits = { ...DEFAULT_LIMITS, maxSeries, timeoutMs: timeoutS * 1000 };
  const progress = progressLine(io.progress ?? { write: () => true }, io.env ?? process.env);
  try {
    const result = await backtest(plans[0], plans[1], {
      onProgress: (done, total) => progress.update(`backtest ${stack}: ${done}/${total} queries`),
      prometheusUrl: url,
      fromMs: endMs - rangeS * 1000,
      toMs: endMs,
      stepMs: stepS === undefined ? undefined : stepS * 1000,
      limits,
      fetcher: httpFetcher(limits, io.env ?? process.env),
    });
    progress.done();
    io.out(
      format === "json"
        ? renderJson(result)
        : format === "markdown"
          ? renderMarkdown(result)
          : renderText(result),
    );
    return 0;
  } catch (err) {
    progress.done();
    if (err instanceof ApiError) {
      io.err(`cannot backtest ${stack}: ${clean(err.message)}`);
      return 3;
    }
    if (err instanceof ConfigError) {
      io.err(clean(err.message));
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (s) => console.log(s),
    err: (s) => console.error(s),
    progress: process.stderr,
  }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`backtest failed: ${clean(err instanceof Error ? err.message : String(err))}`);
      process.exit(1);
    },
  );
}
