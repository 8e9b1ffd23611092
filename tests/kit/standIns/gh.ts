// `gh api` for the calls the review workflow's comment step makes (.github/workflows/review.yml):
// listing a pull request's comments (with --paginate and --jq, the filter run by the real jq as gh
// runs it, strings printed raw), creating one and editing one. The comments live in the state.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { STATE, fail, readJson, record, unmodelled, writeJson } from "./machine";

interface Comment {
  readonly id: number;
  readonly body: string;
  readonly user: { readonly login: string };
}

const args = record("gh");
const comments = path.join(STATE, "comments.json");
const all = readJson<Comment[]>(comments, []);

function option(name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** `-F body=@file`: the body read from the file, as gh reads a field's `@` value. */
function bodyField(): string {
  const field = option("-F") ?? fail("gh api: the stand-in expects -F body=@<file>", 1);
  const match = /^body=@(.+)$/.exec(field) ?? fail(`gh api: cannot read field ${field}`, 1);
  return fs.readFileSync(match[1], "utf8");
}

if (args[0] !== "api") unmodelled("gh", args);
if (process.env.GH_TOKEN === undefined || process.env.GH_TOKEN === "") {
  fail("gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.", 4);
}
const method = option("--method") ?? "GET";
const endpoint = args.filter((arg, i) => i > 0 && !arg.startsWith("-") && !args[i - 1].startsWith("-"))[0];
const list = /^repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(endpoint ?? "");
const one = /^repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(endpoint ?? "");

if (method === "GET" && list !== null) {
  const jq = option("--jq");
  const json = JSON.stringify(all);
  if (jq === undefined) {
    process.stdout.write(`${json}\n`);
  } else {
    const run = spawnSync("jq", ["-r", jq], { input: json, encoding: "utf8" });
    if (run.status !== 0) fail(`gh: ${run.stderr.trim()}`, 1);
    process.stdout.write(run.stdout);
  }
} else if (method === "POST" && list !== null) {
  const created = {
    id: Math.max(100, ...all.map((c) => c.id)) + 1,
    body: bodyField(),
    user: { login: "github-actions[bot]" },
  };
  writeJson(comments, [...all, created]);
  process.stdout.write(`${JSON.stringify(created)}\n`);
} else if (method === "PATCH" && one !== null) {
  const id = Number(one[1]);
  if (!all.some((c) => c.id === id)) fail("gh: Not Found (HTTP 404)", 1);
  writeJson(
    comments,
    all.map((c) => (c.id === id ? { ...c, body: bodyField() } : c)),
  );
} else {
  unmodelled("gh", args);
}
