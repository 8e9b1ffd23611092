import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { sleep } from "./sleep";

/** Whether a connection to 127.0.0.1:`port` is refused, as it is where nothing listens. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** The low end of the kernel's ephemeral port range, which bind(0) and outgoing connections draw from. */
function ephemeralLow(): number {
  return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
}

/** Where a port handed out is reserved, across every lane and process of the run. */
const RESERVATIONS = path.join(os.tmpdir(), "observability-test-ports");

/** How long a reservation holds: longer than any server takes to start and bind its port. */
const RESERVATION_MS = 10 * 60 * 1000;

/**
 * Reserves `port` for this process unless another holds it: a file created exclusively, so two
 * lanes that drew the same port cannot both have it. A reservation older than any start-up is
 * taken over (its server bound the port long since, or never started).
 */
function reserve(port: number): boolean {
  fs.mkdirSync(RESERVATIONS, { recursive: true });
  const file = path.join(RESERVATIONS, String(port));
  try {
    fs.writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < RESERVATION_MS) return false;
    fs.rmSync(file, { force: true });
    return reserve(port);
  }
}

/**
 * A port on 127.0.0.1 for a server the test starts (or a backend it keeps down and brings back on
 * the same port), which no other server of the run can take before it binds: it lies below the
 * kernel's ephemeral range, which bind(0) and every outgoing connection draw from, so no process
 * is handed it by the kernel; it is reserved across lanes (two drawing the same port cannot both
 * have it); and it refuses a connection, so nothing listens there now. Picked at random among the
 * non-privileged ports below the range.
 */
export async function freePort(): Promise<number> {
  const low = 20000;
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (reserve(port) && (await refused(port))) {
      return port;
    }
  }
  throw new Error(`no port between ${low} and ${high} refuses connections on 127.0.0.1`);
}

export interface Server {
  readonly process: ChildProcess;
  /** Everything it printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

interface ServerOptions {
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Working directory, for servers that write relative paths. */
  readonly cwd?: string;
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a server binary and waits until it is ready: `ready` is a URL that must answer 200 or
 * a check of its own (e.g. TLS with a CA). Kills it if it never is.
 */
export async function startServer(
  binary: string,
  args: readonly string[],
  ready: string | (() => Promise<boolean>),
  options: ServerOptions = {},
): Promise<Server> {
  const timeoutMs = options.timeoutMs ?? 30000;
  const child = spawn(binary, [...args], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const server: Server = {
    process: child,
    output: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${binary} exited with ${child.exitCode}:\n${log}`);
    }
    try {
      if (typeof ready === "string" ? (await fetch(ready)).ok : await ready()) {
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await server.stop();
  throw new Error(
    `${binary} was not ready${typeof ready === "string" ? ` at ${ready}` : ""} within ${timeoutMs} ms:\n${log}`,
  );
}

/** Resolves once the process has exited: at once when it already has (its exit event is past). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts a stopped or killed server's command again: the same binary and arguments, so the same
 * ports, config and data directory, as a container restarts in its pod.
 */
export function restartServer(
  servers: Servers,
  server: Server,
  ready: Parameters<typeof startServer>[2],
  options: ServerOptions = {},
): Promise<Server> {
  const [binary, ...args] = server.process.spawnargs;
  return servers.start(binary, args, ready, options);
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after the timeout saying
 * what it waited for, the probe's last error and, from `seen`, what the thing waited on showed last.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20000,
  seen?: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return pollUntil(
    probe,
    what,
    () => (Date.now() < deadline ? undefined : `after ${Math.round(timeoutMs / 1000)} s`),
    seen,
  );
}

/**
 * As `eventually`, for work that takes as long as the machine lets it: `probe` says whether it is
 * done (`value`) and what the thing has done so far (`progress`, as text); waits while that
 * changes, and fails once it has not changed for `stallMs`, or after `timeoutMs` in all.
 */
export async function eventuallyWhileProgressing<T>(
  probe: () => Promise<{ readonly value?: T; readonly progress: string }>,
  what: string,
  bounds: { readonly stallMs: number; readonly timeoutMs: number },
  seen?: () => Promise<string> | string,
): Promise<T> {
  const started = Date.now();
  let last: string | undefined;
  let changed = started;
  return pollUntil(
    async () => {
      const { value, progress } = await probe();
      if (progress !== last) {
        last = progress;
        changed = Date.now();
      }
      return value;
    },
    what,
    () =>
      Date.now() - started >= bounds.timeoutMs
        ? `after ${Math.round(bounds.timeoutMs / 1000)} s`
        : Date.now() - changed >= bounds.stallMs
          ? `after ${Math.round((Date.now() - started) / 1000)} s, the last ${Math.round(bounds.stallMs / 1000)} s without progress`
          : undefined,
    seen,
  );
}

/** Polls `probe` until it returns a value, or fails once `expired` says after how long. */
async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  expired: () => string | undefined,
  seen?: () => Promise<string> | string,
): Promise<T> {
  let lastError: string | undefined;
  for (;;) {
    const after = expired();
    if (after !== undefined) {
      const details = [
        lastError === undefined ? "" : `; the last probe failed: ${lastError}`,
        seen === undefined
          ? ""
          : `; seen: ${await Promise.resolve(seen()).catch((e: unknown) => `(${e instanceof Error ? e.message : "unreadable"})`)}`,
      ];
      throw new Error(`timed out ${after} waiting for ${what}${details.join("")}`);
    }
    const value = await probe().catch((error: unknown) => {
      lastError = error instanceof Error ? error.message : JSON.stringify(error);
      return undefined;
    });
    if (value !== undefined) {
      return value;
    }
    await sleep(250);
  }
}

/** Anything a test starts that runs until stopped: a server, or traffic the test sends. */
export interface Stoppable {
  stop(): Promise<void> | void;
}

/**
 * Every server a test file starts, and the traffic its tests send, so that all of them stop, also
 * when a start or a test fails: a timer left running keeps jest's process, and its lane, alive.
 */
export class Servers {
  private readonly started: Stoppable[] = [];

  async start(...args: Parameters<typeof startServer>): Promise<Server> {
    return this.add(await startServer(...args));
  }

  /** Stops `running` with the servers (stopping it twice does no harm). */
  add<T extends Stoppable>(running: T): T {
    this.started.push(running);
    return running;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map(async (s) => s.stop()));
  }
}

export interface Running {
  readonly base: string;
  readonly server: Server;
}
