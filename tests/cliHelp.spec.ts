/**
 * `--help` on every command, in one format (usage, options, exit status, one example), and a bad command
 * line answered with a reason and the help, never Node's own error.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { BACKTEST_HELP } from "../plan/backtestCli";
import { CHECK_HELP } from "../plan/check";
import { PLAN_HELP } from "../plan/cli";
import { CommandHelp, helpText, parseCommandLine } from "../plan/cliHelp";
import { BENCH_HELP, COMMENT_HELP, DOCS_HELP, VERIFY_HELP } from "../plan/helpTexts";
import { main as verifyMain } from "../plan/verify";
import { planCli } from "./helpers/cli";
import { captureConsole } from "./security/capture";

const root = path.resolve(__dirname, "..");

/** A command's script run as npm runs it: its exit status and output. */
function script(file: string, args: string[]) {
  const run = spawnSync(process.execPath, ["-r", "./plan/register.js", file, ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const COMMANDS: [string, CommandHelp, string][] = [
  ["plan", PLAN_HELP, "plan/cli.ts"],
  ["check", CHECK_HELP, "plan/check.ts"],
  ["verify", VERIFY_HELP, "plan/verify.ts"],
  ["backtest", BACKTEST_HELP, "plan/backtestCli.ts"],
  ["plan:comment", COMMENT_HELP, "plan/comment.ts"],
  ["docs", DOCS_HELP, "plan/configReference.ts"],
  ["bench", BENCH_HELP, "bench/run.ts"],
];

describe("command help", () => {
  it("lays out usage, description, options, environment, exit status and an example", () => {
    const text = helpText({
      usage: "npm run x -- <a> [--long-option-name VALUE]",
      description: "Does x.",
      options: [
        ["--b N", "first line\nsecond line"],
        ["--long-option-name VALUE", "on its own line"],
      ],
      environment: [["X_TOKEN", "a token"]],
      exitCodes: [
        [0, "done"],
        [1, "bad usage"],
      ],
      example: "npm run x -- a --b 2",
    });
    assert.equal(
      text,
      [
        "usage: npm run x -- <a> [--long-option-name VALUE]",
        "",
        "Does x.",
        "",
        "options:",
        "  --b N                 first line",
        "                        second line",
        "  --long-option-name VALUE",
        "                        on its own line",
        "  -h, --help            this help",
        "",
        "environment:",
        "  X_TOKEN               a token",
        "",
        "exit status:",
        "  0  done",
        "  1  bad usage",
        "",
        "example:",
        "  npm run x -- a --b 2",
      ].join("\n"),
    );
  });

  it("turns Node's parse errors into a reason and the help, control characters shown", () => {
    const help = COMMANDS[0][1];
    const cases: [string[], string][] = [
      [["--bogus"], "--bogus: unknown option"],
      [["dev", "--out"], "--out: needs a value"],
      [["--x\u001b[31m"], "--x\\u001b[31m: unknown option"],
    ];
    for (const [argv, reason] of cases) {
      const parsed = parseCommandLine(argv, { out: { type: "string" } }, help);
      assert.equal(parsed.kind, "error");
      assert.equal((parsed as { text: string }).text, `${reason}\n\n${helpText(help)}`);
    }
    assert.deepEqual(parseCommandLine(["-h"], {}, help), { kind: "help", text: helpText(help) });
  });

  for (const [name, help] of COMMANDS) {
    it(`${name}: usage names its npm script, every exit code and an example that runs it`, () => {
      const text = helpText(help);
      assert.ok(text.startsWith(`usage: npm run ${name}`), text.split("\n")[0]);
      assert.ok(help.exitCodes.some(([code]) => code === 0));
      assert.ok(help.exitCodes.some(([code]) => code === 1));
      assert.match(help.example, new RegExp(`npm run ${name}\\b`));
      for (const line of text.split("\n")) assert.ok(line.length <= 110, line);
    });
  }

  it("plan: --help exits 0 with the help; an unknown option exits 1 with the reason and the help", async () => {
    const help = await planCli(["--help"]);
    assert.equal(help.status, 0);
    assert.equal(help.stdout, `${helpText(PLAN_HELP)}\n`);
    for (const part of ["--compare FILE", "  2  a mandatory policy is violated", "example:"])
      assert.ok(help.stdout.includes(part), part);
    const bogus = await planCli(["dev", "--bogus"]);
    assert.equal(bogus.status, 1);
    assert.equal(bogus.stderr, `--bogus: unknown option\n\n${helpText(PLAN_HELP)}\n`);
    const none = await planCli([]);
    assert.equal(none.status, 1);
    assert.ok(none.stderr.startsWith("name a stack (or teams/<team>)\n\nusage: npm run plan"));
  });

  it("verify: --help exits 0 with the help on stdout; an unknown option exits 1 with the reason on stderr", async () => {
    const ok = await captureConsole(() => verifyMain(["--help"]));
    assert.deepEqual(ok, { result: 0, stdout: `${helpText(VERIFY_HELP)}\n`, stderr: "" });
    const bad = await captureConsole(() => verifyMain(["--bogus"]));
    assert.deepEqual(bad, {
      result: 1,
      stdout: "",
      stderr: `--bogus: unknown option\n\n${helpText(VERIFY_HELP)}\n`,
    });
  });

  // The scripts npm runs directly, in their own process: the exit code and the streams are theirs.
  for (const [name, help, file] of COMMANDS.filter(([n]) => ["plan:comment", "docs", "bench"].includes(n))) {
    it(`${name}: --help on stdout with exit 0, an unknown option on stderr with exit 1`, () => {
      const ok = script(file, ["--help"]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout, `${helpText(help)}\n`);
      const bad = script(file, ["--bogus"]);
      assert.equal(bad.status, 1);
      assert.equal(bad.stderr, `--bogus: unknown option\n\n${helpText(help)}\n`);
      assert.ok(!/at .*\.ts:\d+/.test(bad.stderr), "a stack trace");
    });
  }
});
