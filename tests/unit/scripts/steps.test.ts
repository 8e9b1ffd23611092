// scripts/steps.sh, run as .ci/run and scripts/testAll.sh run it: an outer script whose step runs an
// inner script whose step fails. The stand-in for jest prints what jest 29 prints for a failed test,
// once inline and again in the closing summary it prints after several files, behind a lane prefix.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const STEPS = path.resolve(__dirname, "../../../scripts/steps.sh");

const JEST_FAILURE = `FAIL tests/servers/faults/haQuery.test.ts (368.5 s)
  a replica killed mid-query
    ✕ the query answers from the other replica (5 ms)
    ✓ the killed replica rejoins

  ● a replica killed mid-query › the query answers from the other replica

    expect(received).toBe(expected) // Object.is equality

    Expected: 2
    Received: 1

      at Object.toBe (tests/servers/faults/haQuery.test.ts:120:59)

Test Suites: 1 failed, 3 passed, 4 total
Tests:       1 failed, 11 passed, 12 total

Summary of all failing tests
FAIL tests/servers/faults/haQuery.test.ts (368.5 s)
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
    delete env.OBSERVABILITY_CPU_LEDGER;
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
    "replicas │ FAIL tests/servers/faults/haQuery.test.ts (368.5 s)",
  ]);
  expect(failed).toContain("replicas │     Expected: 2");
  expect(failed).toContain("replicas │       at Object.toBe (tests/servers/faults/haQuery.test.ts:120:59)");
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

describe("the record of a run (.ci/run --record, --record --cold)", () => {
  /** An outer script that sets the record's variables, then runs `command` as its one step. */
  function recorded(settings: string, command: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steps-record-"));
    try {
      fs.writeFileSync(
        path.join(dir, "outer.sh"),
        `set -euo pipefail\n${settings}\nsource ${STEPS}\nstep "a step" bash -c '${command}'\n`,
      );
      const env = { ...process.env };
      delete env.OBSERVABILITY_STEP_LOG;
      delete env.OBSERVABILITY_FAILURE_LOG;
      delete env.OBSERVABILITY_CPU_LEDGER;
      delete env.OBSERVABILITY_STEP_DEPTH;
      // The record is written with the repository's Prettier, as the real run writes it.
      const result = spawnSync("bash", ["outer.sh"], { cwd: dir, env, encoding: "utf8" });
      const read = (file: string) =>
        fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined;
      return {
        status: result.status,
        stdout: result.stdout,
        record: read("record.md"),
        cleaned: read("cleaned"),
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  /** What scripts/tools/build.sh logs of a tool it built. */
  const coldBuild = 'printf "build\\tprometheus\\t112\\tcold\\n" >>"$OBSERVABILITY_STEP_LOG"';

  test("a warm record is written when no tool was built, with the step's time", () => {
    const { status, record } = recorded(
      "steps_record=record.md steps_record_title='CI, step by step' steps_record_warm=1",
      "true",
    );
    expect(status).toBe(0);
    expect(record).toMatch(/^# CI, step by step\n\nWritten by .* Exit status 0\. Machine: \d+ cores/);
    expect(record).toMatch(/\| a step +\| +\d+ \| ok +\|/);
  });

  test("the record ends with the run's processor time and, from the ledger jest's environment writes, each tier's and the costliest files'", () => {
    // Three test files' lines as tests/support/cpuLedgerEnvironment.js writes them.
    const ledger = [
      "unit\ttests/unit/a.test.ts\t2.50\t3.0",
      "cluster\ttests/cluster/kind.test.ts\t527.31\t766.0",
      "unit\ttests/unit/b.test.ts\t11.20\t11.9",
    ]
      .map((line) => `printf "${line.replace(/\t/g, "\\t")}\\n" >>"$OBSERVABILITY_CPU_LEDGER"`)
      .join("; ");
    // A second and more of processor time, which the run's line must count.
    const busy = `node -e "const end = Date.now() + 1200; while (Date.now() < end);"`;
    const { status, stdout, record } = recorded(
      "steps_record=record.md steps_record_title='CI, step by step' steps_record_warm=1",
      `${ledger}; ${busy}`,
    );
    expect(status).toBe(0);
    expect(stdout).toContain("==> Processor time");
    const processor = record!.split("\n## Processor time\n")[1];
    const run = /^\nThe run's processes: (\d+) s user, \d+ s system\.\n/.exec(processor);
    expect(Number(run?.[1])).toBeGreaterThanOrEqual(1);
    // The tables' rows, without the lines under their headers.
    const rows = processor.split("\n").filter((line) => line.startsWith("| ") && !/^[|\s:-]+$/.test(line));
    expect(
      rows.map((row) =>
        row
          .split("|")
          .map((cell) => cell.trim())
          .filter((cell) => cell !== ""),
      ),
    ).toEqual([
      ["tier", "test files", "processor seconds"],
      ["cluster", "1", "527"],
      ["unit", "2", "14"],
      ["**all**", "**3**", "**541**"],
      ["test file", "tier", "processor seconds", "wall seconds"],
      ["tests/cluster/kind.test.ts", "cluster", "527", "766"],
      ["tests/unit/b.test.ts", "unit", "11", "12"],
      ["tests/unit/a.test.ts", "unit", "3", "3"],
    ]);
  });

  test("a ledger line it cannot read leaves the run's status the steps' own, and the record says so", () => {
    const { status, record } = recorded(
      "steps_record=record.md steps_record_title='CI, step by step' steps_record_warm=1",
      'printf "unit\\tnot a ledger line\\n" >>"$OBSERVABILITY_CPU_LEDGER"',
    );
    expect(status).toBe(0);
    expect(record).toContain("(the ledger could not be read to the end)");
  });

  test("a run that built a tool writes no warm record, and says so", () => {
    const { status, stdout, record } = recorded(
      "steps_record=record.md steps_record_title='CI, step by step' steps_record_warm=1",
      coldBuild,
    );
    expect(status).toBe(0);
    expect(record).toBeUndefined();
    expect(stdout).toContain("==> Not recorded in record.md: this run built tools");
  });

  test("a cold record names its conditions and the builds, and the cleanup runs after it, also when the run fails", () => {
    const { status, record, cleaned } = recorded(
      [
        "steps_record=record.md steps_record_title='CI, cold and busy'",
        "steps_record_conditions='Every cache empty and one core kept busy.'",
        "cleanup() { echo done > cleaned; }; steps_cleanup=cleanup",
      ].join("\n"),
      `${coldBuild}; exit 4`,
    );
    expect(status).toBe(4);
    expect(record).toContain("Exit status 4.");
    expect(record).toContain("\nEvery cache empty and one core kept busy.\n");
    expect(record).toMatch(/\| ↳ tool build: prometheus +\| +112 \| cold +\|/);
    expect(cleaned).toBe("done\n");
  });
});
