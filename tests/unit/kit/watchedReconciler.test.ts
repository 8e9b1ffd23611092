// The stand-in controllers' trigger (tests/kit/watchedReconciler.ts), against an HTTP server on
// 127.0.0.1 that answers a watch as the API server does: a stream of one JSON event per line, held
// open until the server ends it.
import * as k8s from "@kubernetes/client-node";
import * as http from "http";
import { AddressInfo } from "net";
import { eventually } from "../../kit/processes";
import { WatchedReconciler } from "../../kit/watchedReconciler";

const PATH = "/api/v1/persistentvolumeclaims";
/** No resync while a test runs: each pass it sees is one an event or a retry caused. */
const NO_RESYNC = { retryMs: 100, resyncMs: 3_600_000 };

/** The watches open on the server: `send` writes an event to each, `end` ends them. */
async function watchServer() {
  const open = new Set<http.ServerResponse>();
  let opened = 0;
  let closed = 0;
  const server = http.createServer((request, response) => {
    if (!request.url?.startsWith(`${PATH}?`) || !request.url.includes("watch=true")) {
      response.statusCode = 404;
      response.end();
      return;
    }
    opened++;
    response.writeHead(200, { "Content-Type": "application/json" });
    response.flushHeaders();
    open.add(response);
    request.socket.on("close", () => {
      closed++;
      open.delete(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "test", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }],
    users: [{ name: "test" }],
    contexts: [{ name: "test", cluster: "test", user: "test" }],
    currentContext: "test",
  });
  return {
    kubeConfig,
    watches: () => ({ open: open.size, opened, closed }),
    send: (name: string) => {
      const event = { type: "MODIFIED", object: { kind: "PersistentVolumeClaim", metadata: { name } } };
      for (const response of open) response.write(`${JSON.stringify(event)}\n`);
    },
    end: () => {
      for (const response of open) response.end();
    },
  };
}

/** A pass that counts itself, and can be held until released or made to fail. */
function countedPass() {
  let passes = 0;
  let release: (() => void) | undefined;
  let failNext = false;
  return {
    passes: () => passes,
    hold: () => new Promise<void>((resolve) => (release = resolve)),
    release: () => release?.(),
    failNext: () => (failNext = true),
    pass: (held?: Promise<void>) => async () => {
      passes++;
      if (failNext) {
        failNext = false;
        throw new Error("the API server answered 409");
      }
      await held;
    },
  };
}

const running: WatchedReconciler[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  running.splice(0).forEach((r) => r.stop());
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Waits (up to 20 s) until `condition` holds of the passes and the server's watches. */
const until = (condition: () => boolean, what: string, state: () => object) =>
  eventually(
    () => Promise.resolve(condition() ? true : undefined),
    what,
    20000,
    () => JSON.stringify(state()),
  );
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function started(kubeConfig: k8s.KubeConfig, pass: () => Promise<void>): WatchedReconciler {
  const reconciler = new WatchedReconciler(kubeConfig, [PATH], pass, String, NO_RESYNC);
  reconciler.start();
  running.push(reconciler);
  return reconciler;
}

/** A reconciler on a new watch server, once its watch is open and its first pass (held or not) ran. */
async function watching(held = false) {
  const server = await watchServer();
  const counted = countedPass();
  const reconciler = started(server.kubeConfig, counted.pass(held ? counted.hold() : undefined));
  const state = () => ({ passes: counted.passes(), ...server.watches() });
  await until(
    () => server.watches().open === 1 && counted.passes() === 1,
    "the watch and the first pass",
    state,
  );
  return { server, counted, reconciler, state };
}

test("a pass at the start, and one for each event after the last pass ended", async () => {
  const { server, counted, state } = await watching();
  for (let i = 1; i <= 3; i++) {
    server.send(`claim-${i}`);
    await until(() => counted.passes() === 1 + i, `a pass for event ${i}`, state);
  }
});

test("events during a pass make one more pass after it, not one each", async () => {
  const { server, counted, state } = await watching(true);
  for (let i = 0; i < 5; i++) server.send(`claim-${i}`);
  // Over the loopback, the five events reach the client in a few milliseconds; the first pass is
  // held for two seconds meanwhile.
  await pause(2000);
  expect(counted.passes()).toBe(1);
  counted.release();
  await until(() => counted.passes() === 2, "the one pass after the held one", state);
  await pause(1000);
  expect(counted.passes()).toBe(2);
});

test("a failed pass is retried, its error kept", async () => {
  const server = await watchServer();
  const counted = countedPass();
  counted.failNext();
  const reconciler = started(server.kubeConfig, counted.pass());
  await until(
    () => counted.passes() === 2,
    "the failed pass retried",
    () => ({ passes: counted.passes() }),
  );
  expect(reconciler.lastError).toMatch(/Z Error: the API server answered 409$/);
});

test("a watch the server ends is opened again, with a pass for what it may have missed", async () => {
  const { server, counted, state } = await watching();
  server.end();
  await until(
    () => server.watches().opened === 2 && server.watches().open === 1,
    "the watch opened again",
    state,
  );
  await until(() => counted.passes() >= 2, "a pass after the watch ended", state);
  const before = counted.passes();
  server.send("claim-after");
  await until(() => counted.passes() > before, "a pass for an event on the new watch", state);
});

test("stop() closes the watch, and nothing runs after it", async () => {
  const { server, reconciler, state } = await watching();
  reconciler.stop();
  await until(() => server.watches().closed === 1, "the watch closed", state);
  // Five times the retry delay: a watch opened again or a pass would show by then.
  await pause(500);
  expect(state()).toEqual({ passes: 1, open: 0, opened: 1, closed: 1 });
});
