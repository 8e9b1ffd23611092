// `npm run -s render -- kind | head`: the reader closes the pipe after a few lines, and the command
// ends as Unix tools do, quietly. One small writer stands in for the scripts, which install the same
// handler first thing, so the test needs no render.
import { spawnSync } from "child_process";
import * as path from "path";

const WRITER = `
require(${JSON.stringify(path.resolve(__dirname, "../../../scripts/closedPipe.ts"))}).endQuietlyWhenPipeCloses();
const line = "x".repeat(1023) + "\\n";
const write = () => { while (process.stdout.write(line)) {} process.stdout.once("drain", write); };
write();
`;

test("output into a pipe its reader has closed ends with status 0 and nothing on stderr", () => {
  const result = spawnSync(
    "bash",
    [
      "-c",
      'node -r ts-node/register/transpile-only -e "$WRITER" | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}" >&2',
    ],
    { env: { ...process.env, WRITER }, encoding: "utf8", timeout: 30000 },
  );
  expect(result.stderr.trim()).toBe("0");
});
