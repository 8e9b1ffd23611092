import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { sleep } from "./sleep";

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

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

/**
 * A port on 127.0.0.1 that nothing listens on and that stays so until the test itself listens
 * there: it lies below the kernel's ephemeral range, so no server started on a port of
 * `freePort()` (every other server of the run, in every lane) can take it meanwhile. For a
 * backend that is down, refused and later back on the same port. Picked at random among the
 * non-privileged ports below the range, and checked to refuse a connection.
 */
export async function unusedPort(): Promise<number> {
  const low = 20000;
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await refused(port)) {
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

/** Polls `probe` until it returns a value other than undefined, or fails after the timeout. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
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
