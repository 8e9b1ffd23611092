// How the Pulumi SDK's program runner reports a ConfigError, run as the runner runs a program: with
// `source-map-support/register` loaded first, the error raised inside an SDK callback (its frames
// source-mapped through the SDK's own maps), then formatted by the runner's own
// `defaultErrorMessage`. That formatting calls util.inspect with colors, which on Node 20.20 loops
// without end on such frames (nodejs/node#64011): a config error would keep the program spinning
// until it ran out of memory, half a minute or more before `pulumi up` could say why it failed.
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";

const SDK = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [PROJECT_ROOT] }));
const SOURCE_MAPS = require.resolve("source-map-support/register", { paths: [SDK] });
const TRANSPILE = path.join(PROJECT_ROOT, "tests", "support", "transpileCache.js");

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error");
const { ConfigError } = require(${JSON.stringify(path.join(PROJECT_ROOT, "config", "errors.ts"))});
pulumi.output(1).apply(() => {
  const error = new ConfigError(["observability:metrics.storageSize cannot shrink a volume"]);
  process.stdout.write(JSON.stringify({ report: defaultErrorMessage(error), message: error.message }));
});
`;

test("the runner formats a ConfigError raised inside the SDK at once: its message, no frames", () => {
  const run = spawnSync(
    process.execPath,
    // A small heap: should the formatting loop, the program fails in a second or two.
    ["--max-old-space-size=64", "-r", SOURCE_MAPS, "-r", TRANSPILE, "-e", PROGRAM],
    { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 30_000 },
  );
  expect(`${run.status} ${run.signal} ${run.stderr.slice(0, 400)}`).toBe("0 null ");
  const { report, message } = JSON.parse(run.stdout) as { report: string; message: string };
  expect(message).toContain("cannot shrink a volume");
  expect(report).toContain(message);
  expect(report).not.toContain("    at ");
});
