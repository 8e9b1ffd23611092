// What every stand-in CLI shares: where the machine's state lives, how a call is recorded, and how
// a CLI fails. The stand-ins run as plain Node.js programs (tests/kit/cliStandIns.ts transpiles them).
import * as fs from "fs";
import * as path from "path";

/** The test's directory for the stand-ins: their calls, the program's outputs, kind's clusters. */
export const STATE = process.env.OBSERVABILITY_STANDINS ?? "";

export const home = (...parts: string[]): string => path.join(process.env.HOME ?? "", ...parts);

/** One line per call, in order: the tool, its arguments, and whether a passphrase was set (never its value). */
export function record(tool: string): string[] {
  const args = process.argv.slice(2);
  const passphrase =
    process.env.PULUMI_CONFIG_PASSPHRASE !== undefined ||
    process.env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  fs.appendFileSync(path.join(STATE, "calls.jsonl"), `${JSON.stringify({ tool, args, passphrase })}\n`);
  return args;
}

export function readJson<T>(file: string, otherwise: T): T {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as T) : otherwise;
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

/** Ends the process as the CLI does on an error: the message on stderr, the CLI's exit code. */
export function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** A call the stand-in does not model fails loudly, so a script that starts making it fails its test. */
export function unmodelled(tool: string, args: readonly string[]): never {
  return fail(`stand-in ${tool}: \`${tool} ${args.join(" ")}\` is not modelled`, 99);
}
