// `pulumi` with a local (file) backend, for the calls scripts/up.sh, down.sh and output.sh make,
// answering as the real CLI does: logins and stacks kept under ~/.pulumi; a passphrase stack's
// secrets manager opened only with PULUMI_CONFIG_PASSPHRASE(_FILE), checked against the stack
// file's `encryptionsalt` as pkg/secrets/passphrase does (./passphrase.ts); `up` records the program's outputs (the test renders the
// program under mocks and leaves them in the state); `stack output` prints them in the CLI's
// shapes (pkg/cmd/pulumi/stack/stack_output.go: a string as it is, anything else as JSON; --json
// indented by two spaces; the table with its OUTPUT and VALUE columns), secrets as `[secret]`
// unless --show-secrets; `stack export` prints the state's resources and the pending creates a
// killed up left, which ups keep and `refresh --clear-pending-creates` drops. Errors end with exit
// code 255, as the CLI's do.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STATE, fail, home, readJson, record, unmodelled, writeJson } from "./machine";
import { opensWith } from "./passphrase";

const PROJECT = "observability";
const args = record("pulumi");

interface Checkpoint {
  readonly outputs: Record<string, unknown>;
  readonly secretOutputs: readonly string[];
  readonly resources: number;
  /** Each resource's type and name, `type::name`, as its URN ends. */
  readonly names?: readonly string[];
  /** The URNs of the creates a killed up started and never saw end. */
  readonly pendingCreates?: readonly string[];
}

const urn = (stack: string, name: string) => `urn:pulumi:${stack}::${PROJECT}::${name}`;

/** A resource whose step fails the update, and the provider's error. */
interface StepFailure {
  readonly resource: string;
  readonly error: string;
}

/**
 * The program as the engine would run it: its outputs, their secret ones, its resource count; and
 * the step that fails the update, if one does.
 */
function program(): Checkpoint & { readonly failure?: StepFailure } {
  const file = path.join(STATE, "program.json");
  return fs.existsSync(file)
    ? readJson<Checkpoint & { failure?: StepFailure }>(file, { outputs: {}, secretOutputs: [], resources: 0 })
    : fail("stand-in pulumi: the test left no program", 99);
}

const credentials = home(".pulumi", "credentials.json");
/** The selected stack, which commands without --stack use (Pulumi keeps it in its workspace file). */
const workspace = home(".pulumi", "workspaces", `${PROJECT}-workspace.json`);
const selected = (options: Record<string, string>): string =>
  options["--stack"] ??
  options["-s"] ??
  readJson<{ stack?: string }>(workspace, {}).stack ??
  error("no stack selected");
const stackFile = (stack: string) => home(".pulumi", "stacks", PROJECT, `${stack}.json`);
const error = (message: string): never => fail(`error: ${message}`, 255);

/** `--name value` and `-n value` options, boolean flags and positionals, as cobra reads them. */
function parse(rest: readonly string[], valued: readonly string[]) {
  const options: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (valued.includes(arg)) {
      options[arg] = rest[++i];
    } else if (arg.startsWith("-")) {
      flags.add(arg);
    } else {
      positional.push(arg);
    }
  }
  return { options, flags, positional };
}

function requireLogin(): void {
  if (readJson<{ current?: string }>(credentials, {}).current === undefined) {
    error("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
  }
}

/** The passphrase from the environment, as readPassphrase takes it; non-interactive, none is an error. */
function passphrase(): string {
  const phrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (phrase !== undefined) return phrase;
  const file = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file !== undefined && file !== "") return fs.readFileSync(file, "utf8").trim();
  return error(
    'constructing secrets manager of type "passphrase": passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables',
  );
}

/** Opens the stack's secrets manager: the passphrase must open the stack file's salt. */
function unlock(stack: string): void {
  const text = fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8");
  const salt = /^encryptionsalt: (\S+)$/m.exec(text)?.[1];
  const phrase = passphrase();
  if (salt !== undefined && !opensWith(salt, phrase)) {
    error('constructing secrets manager of type "passphrase": incorrect passphrase');
  }
}

function existing(stack: string): Checkpoint {
  if (!fs.existsSync(stackFile(stack))) error(`no stack named '${stack}' found`);
  return readJson<Checkpoint>(stackFile(stack), { outputs: {}, secretOutputs: [], resources: 0 });
}

/** How the CLI shows one value: a string as it is, anything else as JSON (MakeJSONString, one line). */
const stringify = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** cmdutil.Table: a prefix, columns padded to their widest cell, two spaces apart; a cell's lines become rows. */
function table(headers: readonly string[], rows: readonly (readonly string[])[], prefix: string): string {
  const lines = rows.flatMap((row) => {
    const cells = row.map((cell) => cell.split("\n"));
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, i) => cells.map((c) => c[i] ?? ""));
  });
  const all = [headers, ...lines];
  const widths = headers.map((_, col) => Math.max(...all.map((r) => r[col].length)));
  return all
    .map((r) =>
      `${prefix}${r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join("  ")}`.trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

function stackOutput(rest: readonly string[]): void {
  const { options, flags, positional } = parse(rest, ["--stack", "-s"]);
  const stack = selected(options);
  const showSecrets = flags.has("--show-secrets");
  requireLogin();
  const checkpoint = existing(stack);
  if (showSecrets) unlock(stack);
  const shown = Object.fromEntries(
    Object.keys(checkpoint.outputs)
      .sort()
      .map((name) => [
        name,
        checkpoint.secretOutputs.includes(name) && !showSecrets ? "[secret]" : checkpoint.outputs[name],
      ]),
  );
  const json = flags.has("--json") || flags.has("-j");
  const [name] = positional;
  if (name !== undefined) {
    if (!(name in shown)) error(`current stack does not have output property '${name}'`);
    process.stdout.write(json ? `${JSON.stringify(shown[name], null, 2)}\n` : `${stringify(shown[name])}\n`);
  } else if (json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Current stack outputs (${Object.keys(shown).length}):\n` +
        table(
          ["OUTPUT", "VALUE"],
          Object.entries(shown).map(([k, v]) => [k, stringify(v)]),
          "    ",
        ),
    );
  }
}

const [command, sub, ...rest] = args;
switch (command) {
  case "version":
    process.stdout.write(`v${process.env.OBSERVABILITY_STANDIN_PULUMI_VERSION ?? ""}\n`);
    break;
  case "whoami":
    requireLogin();
    // pkg/cmd/pulumi/auth/whoami.go: --json is the user and the backend's URL, indented by two spaces.
    process.stdout.write(
      args.includes("--json")
        ? `${JSON.stringify({ user: os.userInfo().username, url: readJson<{ current?: string }>(credentials, {}).current }, null, 2)}\n`
        : `${os.userInfo().username}\n`,
    );
    break;
  case "login":
    if (sub !== "--local") unmodelled("pulumi", args);
    writeJson(credentials, { current: "file://~", accessTokens: {}, accounts: {} });
    process.stdout.write(`Logged in to ${os.hostname()} as ${os.userInfo().username} (file://~)\n`);
    break;
  case "stack":
    switch (sub) {
      case "select":
        requireLogin();
        existing(rest[0]);
        writeJson(workspace, { stack: rest[0] });
        break;
      case "init": {
        requireLogin();
        const stack = rest[0];
        if (fs.existsSync(stackFile(stack))) error(`stack '${stack}' already exists`);
        unlock(stack);
        writeJson(stackFile(stack), { outputs: {}, secretOutputs: [], resources: 0 });
        writeJson(workspace, { stack });
        process.stdout.write(`Created stack '${stack}'\n`);
        break;
      }
      case "output":
        stackOutput(rest);
        break;
      case "export": {
        // pkg/cmd/pulumi/stack/stack_export.go: the deployment as the backend holds it, indented.
        const { options } = parse(rest, ["--stack", "-s"]);
        const stack = selected(options);
        requireLogin();
        // The state's secrets stay encrypted: no passphrase needed.
        const checkpoint = existing(stack);
        const state = {
          version: 3,
          deployment: {
            manifest: { time: "2026-11-26T00:00:00Z", magic: "", version: "v3.248.0" },
            resources: (checkpoint.names ?? []).map((name) => ({
              urn: urn(stack, name),
              custom: true,
              type: name.split("::")[0],
            })),
            pending_operations: (checkpoint.pendingCreates ?? []).map((pending) => ({
              resource: { urn: pending, custom: true, type: pending.split("::").at(-2) },
              type: "creating",
            })),
          },
        };
        process.stdout.write(`${JSON.stringify(state, null, 4)}\n`);
        break;
      }
      case "rm": {
        requireLogin();
        existing(rest[0]);
        fs.rmSync(stackFile(rest[0]));
        process.stdout.write(`Stack '${rest[0]}' has been removed!\n`);
        break;
      }
      default:
        unmodelled("pulumi", args);
    }
    break;
  case "up":
  case "destroy": {
    const { options } = parse(
      [sub, ...rest].filter((a) => a !== undefined),
      ["--stack", "-s"],
    );
    const stack = selected(options);
    requireLogin();
    const before = existing(stack);
    unlock(stack);
    if (command === "up") {
      const { failure, ...after } = program();
      if (failure !== undefined) {
        // pkg/backend/display: the resource's diagnostics, then the summary; the CLI exits 255.
        process.stdout.write(
          `Updating (${stack})\n\nDiagnostics:\n  ${failure.resource}:\n    error: ${failure.error}\n\n  pulumi:pulumi:Stack (observability-${stack}):\n    error: update failed\n\nResources:\n    ${before.resources} unchanged\n\nDuration: 1m12s\n\n`,
        );
        process.exit(255);
      }
      // The engine keeps a killed up's pending creates through later ups (it warns of them).
      writeJson(stackFile(stack), { ...after, pendingCreates: before.pendingCreates ?? [] });
      process.stdout.write(
        `Updating (${stack})\n\nResources:\n    + ${after.resources - before.resources} created\n\nDuration: 1m12s\n\n`,
      );
    } else {
      writeJson(stackFile(stack), { outputs: {}, secretOutputs: [], resources: 0 });
      process.stdout.write(
        `Destroying (${stack})\n\nResources:\n    - ${before.resources} deleted\n\nDuration: 41s\n\nThe resources in the stack have been deleted, but the history and configuration associated with the stack are still maintained.\n`,
      );
    }
    break;
  }
  case "refresh": {
    const { options, flags } = parse(
      [sub, ...rest].filter((a) => a !== undefined),
      ["--stack", "-s"],
    );
    if (!flags.has("--clear-pending-creates") || !flags.has("--yes")) unmodelled("pulumi", args);
    const stack = selected(options);
    requireLogin();
    const before = existing(stack);
    unlock(stack);
    writeJson(stackFile(stack), { ...before, pendingCreates: [] });
    process.stdout.write(
      `Refreshing (${stack})\n\nResources:\n    ${before.resources} unchanged\n\nDuration: 9s\n\n`,
    );
    break;
  }
  default:
    unmodelled("pulumi", args);
}
