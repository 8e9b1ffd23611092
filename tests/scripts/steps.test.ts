// scripts/steps.sh, run as .ci/run and scripts/testAll.sh run it: an outer script whose step runs an
// inner script whose step fails. The stand-in for jest prints what jest 29 prints for a failed test,
// once inline and again in the closing summary it prints after several files, behind a lane prefix.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const STEPS = path.resolve(__dirname, "../../scripts/steps.sh");

const JEST_FAILURE = `FAIL tests/components/faults/haQuery.test.ts (368.5 s)
  a replica killed mid-query
    ✕ the query answers from the other replica (5 ms)
    ✓ the killed replica rejoins

  ● a replica killed mid-query › the query answers from the other replica

    expect(received).toBe(expected) // Object.is equality

    Expected: 2
    Received: 1

      at Object.toBe (tests/components/faults/haQuery.test.ts:120:59)

Test Suites: 1 failed, 3 passed, 4 total
Tests:       1 failed, 11 passed, 12 total

Summary of all failing tests
FAIL tests/components/faults/haQuery.test.ts (368.5 s)
  ● a replica killed mid-query › the query answers from the other replica

    expect(received).toBe(expected) // Object.is equality

    Expected: 2
    Received: 1
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
}

/** The outer script: `outer step` runs the inner script, whose one step runs `command`. */
function run(command: string): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steps-"));
  try {
    fs.writeFileSync(path.join(dir, "jest-output.txt"), JEST_FAILURE);
    fs.writeFileSync(
      path.join(dir, "inner.sh"),
      `set -euo pipefail\nsource ${STEPS}\nstep "faults lane" bash -c '${command}'\n`,
    );
    fs.writeFileSync(
      path.join(dir, "outer.sh"),
      `set -euo pipefail\nsource ${STEPS}\nstep "outer step" bash inner.sh\nstep "never reached" true\n`,
    );
    const env = { ...process.env };
    delete env.OBSERVABILITY_STEP_LOG;
    delete env.OBSERVABILITY_FAILURE_LOG;
    delete env.OBSERVABILITY_STEP_DEPTH;
    const result = spawnSync("bash", ["outer.sh"], { cwd: dir, env, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the outermost script printed after its summary. */
const whatFailed = (stdout: string): string | undefined => stdout.split("\n==> What failed\n")[1];

test("a failed jest run: its failures are the last thing printed, once, after the time per step", () => {
  const { status, stdout } = run('sed "s/^/replicas │ /" jest-output.txt; exit 1');
  expect(status).toBe(1);
  // The step's own output still streams as it runs.
  expect(stdout).toContain("replicas │ Tests:       1 failed, 11 passed, 12 total");
  expect(stdout.indexOf("==> Time per step")).toBeLessThan(stdout.indexOf("==> What failed"));
  const failed = whatFailed(stdout)!;
  expect(failed.split("\n").slice(0, 3)).toEqual([
    "",
    "--- faults lane (exit 1)",
    "replicas │ FAIL tests/components/faults/haQuery.test.ts (368.5 s)",
  ]);
  expect(failed).toContain("replicas │     Expected: 2");
  expect(failed).toContain(
    "replicas │       at Object.toBe (tests/components/faults/haQuery.test.ts:120:59)",
  );
  // Once, though jest printed it twice; and the outer step, which failed with it, adds nothing.
  expect(failed.match(/● a replica killed mid-query › the query answers/g)).toHaveLength(1);
  expect(failed).not.toContain("outer step");
  expect(failed).not.toContain("never reached");
  expect(failed).not.toContain("Tests:");
});

test("a failure that is not jest's: the command's last lines and its status", () => {
  const { status, stdout } = run("seq 1 100; echo boom >&2; exit 3");
  expect(status).toBe(3);
  const failed = whatFailed(stdout)!.trim().split("\n");
  expect(failed[0]).toBe("--- faults lane (exit 3)");
  // stderr comes with stdout, in the order it was written.
  expect(failed.slice(1)).toEqual([...Array.from({ length: 39 }, (_, i) => String(i + 62)), "boom"]);
});

test("a run that passes prints no failures", () => {
  const { status, stdout } = run("echo fine");
  expect(status).toBe(0);
  expect(stdout).toContain("fine");
  expect(stdout).toContain("| faults lane |");
  expect(whatFailed(stdout)).toBeUndefined();
});
