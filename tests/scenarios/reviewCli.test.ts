// `npm run review` run as a reviewer runs it: a checkout of this commit with one stack-file edit,
// reviewed against the commit. Its exit status holds the change until each risk is accepted by name.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import { freePort } from "../kit/processes";

let checkout: string;

beforeAll(() => {
  checkout = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-"));
  execFileSync("git", ["worktree", "add", "--detach", checkout, "HEAD"], {
    cwd: PROJECT_ROOT,
    stdio: "ignore",
  });
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(checkout, "node_modules"));
  // prod's: on kind, whose SLOs read all the 7 days it keeps, the cut is refused.
  const stackFile = path.join(checkout, "Pulumi.prod.yaml");
  const text = fs.readFileSync(stackFile, "utf8");
  expect(text).toContain("    retentionTime: 2d\n");
  fs.writeFileSync(stackFile, text.replace("    retentionTime: 2d\n", "    retentionTime: 1d\n"));
});

afterAll(() => {
  execFileSync("git", ["worktree", "remove", "--force", checkout], { cwd: PROJECT_ROOT, stdio: "ignore" });
});

function review(...args: string[]) {
  return spawnSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, "node_modules", "ts-node", "dist", "bin.js"),
      "--transpiler",
      "sucrase/ts-node-plugin",
      path.join(PROJECT_ROOT, "scripts", "review.ts"),
      ...args,
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8" },
  );
}

test("a retention cut fails the review, naming the risk and how to accept it", () => {
  const run = review("--base", "HEAD", "--root", checkout, "prod", "--format", "markdown");
  expect(run.stderr).toBe("");
  expect(run.status).toBe(1);
  expect(run.stdout).toContain("### Stack `prod`: data at risk");
  expect(run.stdout).toContain(
    "Prometheus retention time is cut from 2d to 1d: what is older is deleted (acknowledge with `--accept 'Prometheus retention time'`)",
  );
  expect(run.stdout).toContain("`observability:metrics.retentionTime`");
});

test("a history that does not answer leaves the review as it is, with a line saying why", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  // kind's rules are the same on both sides: nothing to ask the history.
  const unchanged = review("--base", "HEAD", "--root", checkout, "kind", "--history", url);
  expect(unchanged.status).toBe(0);
  expect(unchanged.stdout).toContain("no alert or SLO budget changes\n0 requests to the history in 0.0 s");
  // An alert's threshold moved: the history is asked, and does not answer.
  const stackFile = path.join(checkout, "Pulumi.kind.yaml");
  const text = fs.readFileSync(stackFile, "utf8");
  fs.writeFileSync(
    stackFile,
    text.replace(
      "  observability:metrics:\n",
      "  observability:metrics:\n    alerts:\n      errorRatePercent: 2\n",
    ),
  );
  try {
    const run = review("--base", "HEAD", "--root", checkout, "kind", "--history", url, "--days", "3");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("== stack kind: no restart ==");
    expect(run.stdout).toContain(
      `== History of kind: not read from ${url} ==\n${url}/api/v1/label/__name__/values: `,
    );
  } finally {
    fs.writeFileSync(stackFile, text);
  }
});

test("accepted by its subject, the same change passes, and the review goes to --out", () => {
  const out = path.join(checkout, "review.txt");
  const run = review(
    "--base",
    "HEAD",
    "--root",
    checkout,
    "--accept",
    "Prometheus retention time",
    "--out",
    out,
  );
  expect(run.status).toBe(0);
  expect(run.stdout).toBe("");
  const text = fs.readFileSync(out, "utf8");
  expect(text).toContain("== stack prod: data at risk ==");
  expect(text).toContain("(acknowledged)");
  // Every stack file of the checkout is reviewed when none is named; kind is unchanged.
  expect(text).toContain("== stack kind: nothing ==");
});

test.each([
  [["--root", "."], "--base is required"],
  [["--base", "HEAD", "--format", "html"], "--format must be markdown or text, got html"],
  [["--base", "HEAD", "staging"], "no stack file for staging in"],
  [["--base", "no-such-ref", "kind"], "cannot check out no-such-ref"],
  [
    ["--base", "HEAD", "--history", "thanos:9090"],
    "--history needs the http(s) URL of a Prometheus or Thanos Query, got thanos:9090",
  ],
  [
    ["--base", "HEAD", "--history", "http://127.0.0.1:9", "--days", "0"],
    "--days must be a whole number above 0, got 0",
  ],
  [
    ["--base", "HEAD", "--header", "Authorization: Bearer x"],
    "--days, --header, --max-series, --max-samples and --engine go with --history",
  ],
  [
    ["--base", "HEAD", "--history", "http://127.0.0.1:9", "--engine", "promql"],
    "--engine must be thanos or prometheus, got promql",
  ],
  [
    ["--base", "HEAD", "--history", "http://127.0.0.1:9", "--header", "no colon"],
    '--header must be "Name: value", got no colon',
  ],
])("bad usage %j exits 2 with the usage", (args, message) => {
  const run = review(...args);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(message);
  expect(run.stderr).toContain("usage: npm run review -- --base <git ref>");
});
