// The pull-request workflow (.github/workflows/review.yml): actionlint (with shellcheck on its
// scripts) passes it, and its review and comment steps run as a runner runs them, against
// stand-ins for npm and gh that answer as `npm run review` and the GitHub API do.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { StandInMachine } from "../../kit/cliStandIns";
import { tools } from "../../kit/tools";

const WORKFLOW = path.join(PROJECT_ROOT, ".github", "workflows", "review.yml");

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}

const workflow = yaml.load(fs.readFileSync(WORKFLOW, "utf8")) as { jobs: Record<string, { steps: Step[] }> };

function step(job: string, name: string): Step & { run: string; env: Record<string, string> } {
  const found = workflow.jobs[job].steps.find((s) => s.name === name);
  if (found?.run === undefined) throw new Error(`no step "${name}" with a script in job ${job}`);
  return { ...found, run: found.run, env: found.env ?? {} };
}

function actionlint(file: string) {
  return spawnSync(tools.actionlint(), ["-no-color", file], { cwd: PROJECT_ROOT, encoding: "utf8" });
}

test("actionlint passes the workflow, shellcheck included", () => {
  const shellcheck = spawnSync("sh", ["-c", "command -v shellcheck"], { encoding: "utf8" });
  if (shellcheck.stdout.trim() === "") {
    throw new Error(
      "shellcheck is not installed, and actionlint would skip the workflow's scripts: npm test installs it first (scripts/testSetup.sh), or sudo apt-get install -y shellcheck",
    );
  }
  const run = actionlint(WORKFLOW);
  expect(run.stdout + run.stderr).toBe("");
  expect(run.status).toBe(0);
});

test("actionlint catches what the workflow avoids: a pull request's text in a script", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
  try {
    const unsafe = path.join(dir, "review.yml");
    fs.writeFileSync(
      unsafe,
      fs
        .readFileSync(WORKFLOW, "utf8")
        .replace(
          "done < <(printf '%s\\n' \"$PR_BODY\"",
          "done < <(printf '%s\\n' \"${{ github.event.pull_request.body }}\"",
        ),
    );
    const run = actionlint(unsafe);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('"github.event.pull_request.body" is potentially untrusted');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("the review job's steps, on a runner of stand-ins", () => {
  let machine: StandInMachine;
  let workspace: string;

  beforeEach(() => {
    machine = new StandInMachine();
    workspace = fs.mkdtempSync(path.join(machine.dir, "workspace-"));
  });
  afterEach(() => machine.remove());

  /** Runs a step's script as a runner does (bash -e), in the workspace, with the step's env set to `env`. */
  function runStep(job: string, name: string, env: Record<string, string>) {
    const { run, env: declared } = step(job, name);
    expect(Object.keys(env).sort()).toEqual(Object.keys(declared).sort());
    const output = path.join(machine.dir, "github-output");
    fs.writeFileSync(output, "");
    const script = path.join(machine.dir, "step.sh");
    fs.writeFileSync(script, run);
    const result = spawnSync("bash", ["--noprofile", "--norc", "-e", script], {
      cwd: workspace,
      env: machine.env({ ...env, GITHUB_OUTPUT: output }),
      encoding: "utf8",
    });
    return { ...result, outputs: fs.readFileSync(output, "utf8") };
  }

  const reviewEnv = (body: string, history: Record<string, string> = {}) => ({
    BASE: "3f9a7c2e1b",
    PR_BODY: body,
    HISTORY_URL: "",
    HISTORY_DAYS: "",
    HISTORY_AUTHORIZATION: "",
    ...history,
  });

  test("the review runs against the base commit with each Accept: line of the description, and its status is kept", () => {
    machine.review("## What this change does\n", [
      "Prometheus retention time",
      "StatefulSet observability/loki",
    ]);
    const body =
      "Keep a week less.\r\nAccept: Prometheus retention time\r\nAccept:   StatefulSet observability/loki\r\n";
    const run = runStep("review", "Review against the base branch", reviewEnv(body));
    expect(run.status).toBe(0);
    expect(run.outputs).toBe("status=0\n");
    expect(machine.calls().map((c) => [c.tool, ...c.args])).toEqual([
      [
        "npm",
        ...[
          "run",
          "-s",
          "review",
          "--",
          "--base",
          "3f9a7c2e1b",
          "--format",
          "markdown",
          "--out",
          "review.md",
        ],
        ...["--accept", "Prometheus retention time", "--accept", "StatefulSet observability/loki"],
      ],
    ]);
    expect(fs.readFileSync(path.join(workspace, "review.md"), "utf8")).toBe("## What this change does\n");
  });

  test("with the repository's history URL, the review backtests against it (over the review's own default days unless HISTORY_DAYS says), with the secret's Authorization", () => {
    machine.review("## What this change does\n", []);
    const reviewed = (history: Record<string, string>) => {
      const since = machine.calls().length;
      expect(runStep("review", "Review against the base branch", reviewEnv("", history)).status).toBe(0);
      return machine.calls(since).map((c) => c.args.slice(c.args.indexOf("review.md") + 1));
    };
    expect(reviewed({ HISTORY_URL: "https://thanos.example.com" })).toEqual([
      ["--history", "https://thanos.example.com"],
    ]);
    expect(
      reviewed({
        HISTORY_URL: "https://thanos.example.com",
        HISTORY_DAYS: "30",
        HISTORY_AUTHORIZATION: "Bearer t0k",
      }),
    ).toEqual([
      ["--history", "https://thanos.example.com", "--days", "30", "--header", "Authorization: Bearer t0k"],
    ]);
    expect(reviewed({ HISTORY_DAYS: "30", HISTORY_AUTHORIZATION: "Bearer t0k" })).toEqual([[]]);
  });

  test("an unaccepted risk: the step still succeeds, so the comment is posted, and hands on the review's status", () => {
    machine.review("## data at risk\n", ["Prometheus retention time"]);
    const run = runStep(
      "review",
      "Review against the base branch",
      reviewEnv("No accept line; `$(touch pwned)`"),
    );
    expect(run.status).toBe(0);
    expect(run.outputs).toBe("status=1\n");
    expect(fs.existsSync(path.join(workspace, "pwned"))).toBe(false);
  });

  test("the comment is created once, then edited in place; other comments are left alone", () => {
    const env = { GH_TOKEN: "ghs_token", PR: "42", REPO: "tiketi/observability" };
    machine.comment("Looks good to me", "reviewer");
    fs.writeFileSync(path.join(workspace, "review.md"), "first review\n");
    expect(runStep("review", "Post the review as the pull request's comment", env).status).toBe(0);
    fs.writeFileSync(path.join(workspace, "review.md"), "second review\n");
    const second = runStep("review", "Post the review as the pull request's comment", env);
    expect(second.stderr).toBe("");
    expect(second.status).toBe(0);
    expect(machine.comments().map((c) => [c.user.login, c.body])).toEqual([
      ["reviewer", "Looks good to me"],
      ["github-actions[bot]", "<!-- observability-review -->\nsecond review\n"],
    ]);
    const methods = machine
      .calls()
      .filter((c) => c.tool === "gh")
      .map((c) => (c.args.includes("--method") ? c.args[c.args.indexOf("--method") + 1] : "GET"));
    expect(methods).toEqual(["GET", "POST", "GET", "PATCH"]);
  });

  test("without a token the comment step fails, as gh does", () => {
    fs.writeFileSync(path.join(workspace, "review.md"), "review\n");
    const run = runStep("review", "Post the review as the pull request's comment", {
      GH_TOKEN: "",
      PR: "42",
      REPO: "tiketi/observability",
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("set the GH_TOKEN environment variable");
  });
});
