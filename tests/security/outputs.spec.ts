/**
 * Input that reaches the PR comment is escaped for where it lands; terminal and CI log output carries no
 * control characters or workflow commands; the comment stays under GitHub's limit in every case.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMMENT_LIMIT, diffPlans, renderMarkdown } from "../../plan/diff";
import { PlanFileError, prComment } from "../../plan/comment";
import { codeSpan, fence, logSafe, mdText } from "../../plan/escape";
import type { Plan } from "../../plan/plan";
import { formatText } from "../../plan/verify";
import { devPolicyConfig, planWithConfig } from "../helpers/plan";
import { fullConfig, namespaced, withLeaf } from "./fixture";

const MARKUP = "<img src=x onerror=alert(1)> **bold** [x](https://evil.example) | @octocat ``` `";

const planOf = (stack: string, violations: Plan["violations"], extra: Partial<Plan> = {}): Plan => ({
  stack,
  project: "kube-monitoring",
  resources: [],
  outputs: {},
  loosened: [],
  checks: [],
  violations,
  ...extra,
});

/** Cells of a markdown table row: split on `|` not escaped with a backslash. */
const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2;

describe("escaping for where text lands", () => {
  it("markdown prose: no raw HTML, emphasis, links, mentions or cell breaks", () => {
    const text = mdText(MARKUP);
    assert.ok(!/<img|(?<!\\)\*\*bold|(?<!\\)\]\(|(?<!\\)\||(?<!&#64;)@octocat/.test(text), text);
    assert.ok(text.includes("&lt;img"));
    // Shown as the text `\u001b[31m`: the backslash itself escaped for markdown.
    assert.equal(mdText("a\nb\u001b[31m"), "a b\\\\u001b\\[31m");
  });

  it("code spans and fences: longer than the longest backtick run inside, content as it is", () => {
    assert.equal(codeSpan("a`b"), "``a`b``");
    assert.equal(codeSpan("``x"), "``` ``x ```");
    assert.equal(codeSpan("a|b", true), "`a\\|b`");
    assert.equal(fence("x\n```\ny", "yaml"), "````yaml\nx\n```\ny\n````");
    assert.equal(fence("plain"), "```\nplain\n```");
  });

  it("terminal and CI logs: ANSI and control characters visible, workflow commands not run", () => {
    const hostile = "ok\n::error::pwned\n  ::add-mask::x\n\u001b]0;title\u0007\u001b[2Jcleared\r::warning::y";
    const safe = logSafe(hostile);

    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(safe), JSON.stringify(safe));
    assert.ok(!safe.split("\n").some((line) => /^\s*::/.test(line)), safe);
    assert.deepEqual(safe.split("\n"), [
      "ok",
      "» ::error::pwned",
      "»   ::add-mask::x",
      "\\u001b]0;title\\u0007\\u001b[2Jcleared",
      "» ::warning::y",
    ]);
  });

  it("verify's text output: a server's answer cannot issue commands or colour the terminal", () => {
    const text = logSafe(
      formatText([
        { check: "prometheus: rule groups", ok: false, detail: "bad\n::error file=x::owned\u001b[31m" },
      ]),
    );
    assert.ok(!text.split("\n").some((line) => line.startsWith("::")));
    assert.ok(!text.includes("\u001b"));
  });
});

describe("the PR comment", () => {
  it("escapes alert names, messages and names from a real plan", async () => {
    // Prometheus accepts any UTF-8 alert name: it is shown escaped, not dropped.
    const raw = withLeaf(fullConfig(), ["apps", 0, "alerts", "custom", 0, "alert"], MARKUP);
    const result = await planWithConfig("markup", namespaced(raw), undefined, devPolicyConfig());
    assert.ok(result.plan, result.report);
    const plan = result.plan!;
    const comment = renderMarkdown([{ diff: diffPlans(planOf("markup", []), plan), plan }]);
    // Inside a code span text is shown as it is; outside, it must be escaped.
    const outsideCode = (line: string) => line.replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, "");
    // Fenced blocks (YAML diffs) show text as it is: their fence is longer than any backtick run inside.
    let fenceTicks = "";
    const prose = comment.split("\n").filter((line) => {
      const ticks = /^(`{3,})/.exec(line)?.[1];
      if (fenceTicks) {
        if (ticks && line.trim() === fenceTicks) fenceTicks = "";
        return false;
      }
      if (ticks) fenceTicks = ticks;
      return !ticks;
    });
    const html = prose.filter((l) => /<img|@octocat/.test(outsideCode(l)));
    assert.deepEqual(html, [], "raw HTML from input");
    assert.ok(comment.includes("&lt;img src=x onerror=alert(1)&gt;"), "the alert name is shown escaped");
    for (const row of comment.split("\n").filter((l) => l.startsWith("| ") && l.includes("alert")))
      assert.ok([3, 4, 6].includes(cells(row)), row);
  });

  it("keeps a hostile stack name, file and setting inert in the head", () => {
    const plan = planOf("a<b>**c**", [
      { policy: "p`x", enforcementLevel: "mandatory", urn: "u::<script>", message: "m|```" },
    ]);
    plan.loosened = [{ policy: "x", setting: "s", from: "1", to: "<b>2</b>", file: "f`.json" }];
    const comment = renderMarkdown([{ diff: diffPlans(plan, plan), plan }]);
    assert.ok(!/<b>|<script>|\*\*c\*\*/.test(comment), comment);
    assert.ok(comment.includes("``p`x``"));
  });

  it("stays under 65,536 characters with thousands of violations, every failing stack and mandatory policy in view", () => {
    const many = (stack: string) =>
      planOf(stack, [
        ...Array.from({ length: 3000 }, (_, i) => ({
          policy: `policy-${i % 7}`,
          enforcementLevel: "mandatory" as const,
          urn: `urn::res-${i}`,
          message: `violation ${i} ${"x".repeat(300)}`,
        })),
        ...Array.from({ length: 2000 }, (_, i) => ({
          policy: "advice",
          enforcementLevel: "advisory" as const,
          urn: `urn::adv-${i}`,
          message: "y".repeat(1000),
        })),
      ]);
    const stacks = ["s1", "s2", "s3"].map((s) => many(s));
    const comment = renderMarkdown(
      stacks.map((plan) => ({ diff: diffPlans(plan, plan), plan })),
      COMMENT_LIMIT,
      ["broken-a", "broken-b"],
    );
    assert.ok(comment.length < COMMENT_LIMIT, String(comment.length));
    for (const failed of ["broken-a", "broken-b"])
      assert.ok(comment.includes(`**${failed}**: the plan failed`));
    for (const stack of ["s1", "s2", "s3"]) {
      assert.ok(comment.includes(`- **${stack}** (against ${stack})`));
      for (let p = 0; p < 7; p++)
        assert.match(comment, new RegExp(`- ❌ \\*\\*${stack}\\*\\* \`policy-${p}\` res-\\d+: violation`));
      assert.ok(comment.includes(`**${stack}** \`policy-0\`: … and`), "the rest is counted");
    }
  });

  it("refuses a truncated or malformed head plan naming the file, never a stack trace", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-comment-"));
    try {
      fs.mkdirSync(path.join(dir, "dev"));
      const file = path.join(dir, "dev", "plan.json");
      for (const [text, why] of [
        ['{"stack":"dev","resources":[', /: resources\[0\]: not valid JSON \(it ends early: truncated\?\)$/],
        [
          "[]",
          /: the file: expected a JSON object \(stack, project, resources\); not a plan\.json written by npm run plan$/,
        ],
        [
          '{"stack":"dev","resources":{}}',
          /: resources: expected array; not a plan\.json written by npm run plan$/,
        ],
        [
          '{"stack":"dev","resources":[],"violations":"x"}',
          /: violations: expected array; not a plan\.json written/,
        ],
        [
          '{"stack":"dev","resources":[{"urn":"u","type":"t","name":"n","inputs":[]}]}',
          /: resources\[0\]\.inputs: expected record; not a plan\.json/,
        ],
      ] as const) {
        fs.writeFileSync(file, text);
        assert.throws(
          () => prComment(dir, dir, ["dev"]),
          (err: Error) =>
            err instanceof PlanFileError && err.message.startsWith(file) && why.test(err.message),
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
