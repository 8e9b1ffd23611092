// What every long-range bench does around its own measurement: the tools it runs, the machine line,
// a scratch directory and the servers it starts (stopped and removed however it ends), and with
// `--record` the printed report written to docs/measured/.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { machine, writeMeasured } from "../../tests/kit/measured";
import { Servers } from "../../tests/kit/processes";
import { GoTool, toolDirectory } from "../../tests/kit/tools";

export interface BenchSpec {
  /** The npm script, e.g. `bench:rules`. */
  readonly script: string;
  /** The record's file name under docs/measured/, without `.md`, and its title. */
  readonly record: string;
  readonly title: string;
  /** The tools it runs, by the variable that names each one's directory. */
  readonly tools: Readonly<Record<string, GoTool>>;
}

export interface BenchRun {
  readonly args: readonly string[];
  readonly servers: Servers;
  readonly dir: string;
  /** Prints a line of the report. */
  readonly print: (line: string) => void;
}

/** Runs `measure` as the bench `spec` names, then exits: 0 when it finished, 1 when it threw. */
export function runBench(spec: BenchSpec, measure: (run: BenchRun) => Promise<void>): void {
  const args = process.argv.slice(2);
  const printed: string[] = [];
  const print = (line: string) => {
    printed.push(line);
    process.stdout.write(`${line}\n`);
  };
  const run = async () => {
    for (const [variable, tool] of Object.entries(spec.tools)) {
      process.env[variable] ??= toolDirectory(tool);
    }
    print(`${spec.script} on ${machine()}`);
    const servers = new Servers();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${spec.script.replace(":", "-")}-`));
    try {
      await measure({ args, servers, dir, print });
      if (args.includes("--record")) {
        writeMeasured(
          spec.record,
          spec.title,
          [`npm run ${spec.script} --`, ...args].join(" "),
          printed.join("\n"),
        );
      }
    } finally {
      await servers.stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exit(1);
    },
  );
}
