// The real Grafana Alloy (tools/alloy, the release of the image) with each stack's rendered log
// agent config in `node` mode, tailing a /var/log/pods-shaped directory of CRI files written here
// as containerd writes them, and pushing to the Loki stand-in (tests/kit/lokiStandIn.ts) with the
// stack's rendered tenant and limits. What arrives is read back through Loki's query API.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { rendered, stackConfig } from "../support/renderedStacks";
import { STACKS, StackName } from "../kit/stacks";
import { getJson } from "../kit/http";
import { configMapData, objectNamed } from "../kit/rendered";
import { tools } from "../kit/tools";
import { Servers, eventually, freePort } from "../kit/processes";
import { LogPod, hex, renderNodeMode, startAlloy, startLoki, writePodLog } from "../kit/localServers";
import { LokiStandIn } from "../kit/lokiStandIn";
import { Json } from "../kit/json";

const run = promisify(execFile);

/** A Spring Boot 3 console line with Micrometer Tracing's `[application,traceId,spanId]`. */
const springLine = (level: string, ids: { trace: string; span: string }, thread: string, text: string) =>
  `${new Date().toISOString()} ${level.padStart(5)} [ticket-service,${ids.trace},${ids.span}] 1 --- [${thread}] ${text}`;

/** A line as pino prints it by default, with the trace fields its OpenTelemetry instrumentation adds. */
const pinoLine = (fields: Json, msg: string) =>
  JSON.stringify({
    level: 30,
    time: Date.now(),
    pid: 1,
    hostname: "queue-service-6b7c9d-x2k4p",
    ...fields,
    msg,
  });

const CASES = [
  { stack: "prod", masked: true },
  { stack: "kind", masked: false },
] as const;

describe.each(CASES)("Alloy with the $stack stack's config in node mode", ({ stack, masked }) => {
  const servers = new Servers();
  const namespace = stackConfig(stack).apps.namespaces[0];
  const node = "ip-10-0-12-34.ap-northeast-2.compute.internal";
  const spring: LogPod = {
    namespace,
    name: "ticket-service-7d9f8b6c5-abcde",
    uid: "3f1c2b7a-9d4e-4f60-8a2e-c4b6d8f0a1c3",
    container: "ticket-service",
    labels: { "app.kubernetes.io/name": "ticket-service", "pod-template-hash": "7d9f8b6c5" },
    node,
    ip: "10.0.12.77",
  };
  const pino: LogPod = {
    namespace,
    name: "queue-service-6b7c9d-x2k4p",
    uid: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    container: "queue-service",
    labels: { app: "queue-service", "pod-template-hash": "6b7c9d" },
    node,
    ip: "10.0.12.81",
  };
  const reserved = { trace: hex(16), span: hex(8) };
  const failed = { trace: hex(16), span: hex(8) };
  const queued = { trace: hex(16), span: hex(8) };
  const stackTrace = [
    springLine(
      "ERROR",
      failed,
      "nio-3002-exec-3",
      "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] threw exception",
    ),
    "java.lang.IllegalStateException: seat A-12 already held",
    "\tat com.tiketi.ticket.SeatService.hold(SeatService.java:42) ~[classes/:na]",
    "\tat com.tiketi.ticket.TicketController.reserve(TicketController.java:27) ~[classes/:na]",
  ];
  let dir: string;
  let loki: LokiStandIn;
  let objects: readonly KubeObject[];
  let readyMs: number;
  const append = (pod: LogPod, lines: readonly string[]) => writePodLog(dir, pod, lines);

  /** The streams a LogQL query returns (stream labels with structured metadata, and values). */
  const query = async (logql: string): Promise<Json[]> => {
    const { data } = await getJson(
      `${loki.base}/loki/api/v1/query_range?query=${encodeURIComponent(logql)}&limit=100`,
      loki.headers,
    );
    return data.result as Json[];
  };
  const arrived = (logql: string, count = 1) =>
    eventually(
      async () => {
        const streams = await query(logql);
        return streams.flatMap((s) => s.values).length >= count ? streams : undefined;
      },
      `${count} line(s) for ${logql}`,
      30000,
    );

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `alloy-${stack}-`));
    objects = await renderNodeMode(stack);
    // No rule fires here: the ruler's Alertmanager is never called.
    loki = await startLoki(servers, objects);
    // Written before the agent starts: it reads files it has no position for from the start.
    append(spring, [
      springLine(
        "DEBUG",
        { trace: "", span: "" },
        "nio-3002-exec-2",
        "o.s.web.servlet.DispatcherServlet        : GET /actuator/health, parameters={}",
      ),
      springLine(
        "INFO",
        reserved,
        "nio-3002-exec-1",
        "c.t.t.TicketController                   : reserved seat A-12 for 203.0.113.45 via 2001:db8:85a3::8a2e:370:7334",
      ),
      ...stackTrace,
    ]);
    append(pino, [
      pinoLine(
        { req: { method: "GET", url: "/healthz", headers: { "user-agent": "kube-probe/1.31" } } },
        "request completed",
      ),
      pinoLine(
        { trace_id: queued.trace, span_id: queued.span, trace_flags: "01", remoteAddress: "10.0.12.5" },
        "queued user 42",
      ),
    ]);
    const start = Date.now();
    await startAlloy(servers, objects, dir, loki.base, [spring, pino]);
    readyMs = Date.now() - start;
  }, 120000);

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("Alloy starts with the rendered config and flags and is ready within its startup probe's budget", () => {
    const probe = objectNamed(objects, "DaemonSet", "alloy").spec.template.spec.containers[0]
      .startupProbe as Json;
    const budgetMs = ((probe.initialDelaySeconds ?? 0) + probe.failureThreshold * probe.periodSeconds) * 1000;
    process.stdout.write(`${stack}: Alloy ready in ${readyMs} ms (startup budget ${budgetMs} ms)\n`);
    expect(readyMs).toBeLessThan(budgetMs);
  });

  test("a Spring line arrives with the stack's labels, its level, and trace and span IDs as structured metadata", async () => {
    const [stream] = await arrived(
      `{namespace="${namespace}", app="ticket-service"} | trace_id="${reserved.trace}"`,
    );
    expect(stream.stream).toMatchObject({
      namespace,
      pod: spring.name,
      container: "ticket-service",
      app: "ticket-service",
      level: "info",
      cluster: stackConfig(stack).cluster.name,
      env: stackConfig(stack).cluster.env,
      trace_id: reserved.trace,
      span_id: reserved.span,
    });
    expect(stream.values).toHaveLength(1);
  });

  test("the streams are indexed by the stack's labels, the file and stream the agent adds, and Loki's service_name; trace IDs stay out", async () => {
    await arrived(`{namespace="${namespace}"} |= "queued user"`);
    const { data } = await getJson(
      `${loki.base}/loki/api/v1/labels?query=${encodeURIComponent(`{namespace="${namespace}"}`)}`,
      loki.headers,
    );
    // `filename` from loki.source.file, `stream` (stdout/stderr) from stage.cri, `service_name`
    // derived by Loki from `app`: none has more values than the pod and container labels.
    expect([...(data as string[])].sort()).toEqual([
      "app",
      "cluster",
      "container",
      "env",
      "filename",
      "level",
      "namespace",
      "pod",
      "service_name",
      "stream",
    ]);
  });

  test("a pino JSON line arrives with its numeric level as a word, its trace and span IDs as structured metadata, `app` from the pod's app label", async () => {
    const [stream] = await arrived(
      `{namespace="${namespace}", app="queue-service"} | trace_id="${queued.trace}"`,
    );
    // pino prints level 30; the stack's template names it as the other formats do.
    expect(stream.stream).toMatchObject({
      pod: pino.name,
      container: "queue-service",
      span_id: queued.span,
      level: "info",
    });
    expect(JSON.parse(stream.values[0][1] as string).msg).toBe("queued user 42");
  });

  test(`IP addresses are ${masked ? "masked" : "kept (masking is off)"}`, async () => {
    const spring = await arrived(`{namespace="${namespace}", app="ticket-service"} |= "reserved seat"`);
    const json = await arrived(`{namespace="${namespace}", app="queue-service"} |= "queued user"`);
    const [springText, jsonText] = [spring[0].values[0][1] as string, json[0].values[0][1] as string];
    if (masked) {
      expect(springText).toContain("reserved seat A-12 for <ip> via <ip>");
      expect(jsonText).toContain('"remoteAddress":"<ip>"');
    } else {
      expect(springText).toContain("for 203.0.113.45 via 2001:db8:85a3::8a2e:370:7334");
      expect(jsonText).toContain('"remoteAddress":"10.0.12.5"');
    }
  });

  test("a stack trace arrives line by line, in order, the first line at level error with its trace ID", async () => {
    const streams = await arrived(
      `{namespace="${namespace}", app="ticket-service"} |~ "already held|SeatService|TicketController.reserve|Servlet.service"`,
      4,
    );
    const lines = streams
      .flatMap((s) =>
        (s.values as [string, string][]).map(([ns, text]) => ({ ns: BigInt(ns), text, stream: s.stream })),
      )
      .sort((a, b) => (a.ns < b.ns ? -1 : 1));
    expect(lines.map((l) => l.text)).toEqual(stackTrace);
    expect(lines[0].stream).toMatchObject({ level: "error", trace_id: failed.trace });
  });

  test("health checks (Spring's actuator, the kubelet's probe) are dropped", async () => {
    // Written before the lines above, from the same files: had they passed, they would be in.
    await arrived(`{namespace="${namespace}"} |= "queued user"`);
    await arrived(`{namespace="${namespace}"} |= "already held"`);
    expect(await query(`{namespace="${namespace}"} |~ "actuator/health|kube-probe"`)).toEqual([]);
  });

  test("lines appended after the agent started arrive", async () => {
    const later = { trace: hex(16), span: hex(8) };
    append(spring, [
      springLine(
        "WARN",
        later,
        "nio-3002-exec-4",
        "c.t.t.SeatLock                           : seat lock contended",
      ),
    ]);
    const [stream] = await arrived(`{namespace="${namespace}"} | trace_id="${later.trace}"`);
    expect(stream.stream).toMatchObject({ app: "ticket-service", level: "warn" });
  });
});

describe("alloy validate and the binary's own checks", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "alloy-validate-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the real binary; resolves with its exit code and everything it printed. */
  const alloy = async (...args: string[]): Promise<{ code: number; output: string }> =>
    run(tools.alloy(), args, { timeout: 30000 }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
  /** `alloy run` on `file` with `flags`, which here ends at once on a config or flag it refuses. */
  const alloyRun = async (file: string, ...flags: string[]) =>
    alloy(
      "run",
      `--server.http.listen-addr=127.0.0.1:${await freePort()}`,
      `--storage.path=${path.join(dir, "data")}`,
      "--disable-reporting",
      ...flags,
      file,
    );
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test.each(STACKS)(
    "%s: the committed stack's log agent config validates at the rendered stability level",
    async (stack) => {
      const objects = (await rendered(stack)).objects;
      const workload = objects.find(
        (o) => ["DaemonSet", "StatefulSet"].includes(o.kind) && o.metadata.name === "alloy",
      );
      const args = (workload as Json).spec.template.spec.containers[0].args as string[];
      const stability = args.filter((arg) => arg.startsWith("--stability.level="));
      expect(stability).toHaveLength(1);
      const file = write(`${stack}.alloy`, configMapData(objects, "alloy-config")["config.alloy"]);
      expect(await alloy("validate", ...stability, file)).toEqual({ code: 0, output: "" });
    },
  );

  test("self-test: an argument the component does not take is rejected with its position", async () => {
    const file = write(
      "unknown.alloy",
      'loki.write "default" {\n  endpoint {\n    url = "http://127.0.0.1:1/loki/api/v1/push"\n    tenant = "x"\n  }\n}\n',
    );
    const { code, output } = await alloy("validate", file);
    expect(code).not.toBe(0);
    expect(output).toMatch(/unknown\.alloy:4:5/);
  });

  test("self-test: a regular expression RE2 cannot compile stops `alloy run` at its component", async () => {
    const file = write(
      "lookbehind.alloy",
      'loki.process "x" {\n  forward_to = []\n  stage.regex {\n    expression = "(?<=a)b"\n  }\n}\n',
    );
    const { code, output } = await alloyRun(file);
    expect(code).not.toBe(0);
    expect(output).toMatch(/lookbehind\.alloy:1:1: .*error parsing regexp/);
  });

  test("stage.pattern, which links Loki's AGPL-licensed pattern matcher, is not built: `alloy run` refuses a config using it with that reason", async () => {
    const file = write(
      "pattern.alloy",
      'loki.process "x" {\n  forward_to = []\n  stage.pattern {\n    pattern = "<ip> - <_>"\n  }\n}\n',
    );
    const { code, output } = await alloyRun(file);
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /pattern\.alloy:\d+:\d+: .*stage\.pattern is not in this Alloy build: it links Loki's AGPL-licensed/,
    );
  });

  test("peer discovery through go-discover, which links every cloud provider's SDK, is not built: `alloy run --cluster.discover-peers` refuses with that reason", async () => {
    const file = write("empty.alloy", "");
    const port = await freePort();
    const { code, output } = await alloyRun(
      file,
      "--cluster.enabled",
      `--cluster.advertise-address=127.0.0.1:${port}`,
      "--cluster.discover-peers=provider=aws tag_key=alloy tag_value=peer",
    );
    expect(code).not.toBe(0);
    expect(output).toMatch(/--cluster\.discover-peers is not in this Alloy build/);
  });

  test("self-test: a broken configuration is rejected with its position", async () => {
    const file = write("broken.alloy", 'loki.write "default" {\n  endpoint {\n    url = \n  }\n}\n');
    const { code, output } = await alloy("validate", file);
    expect(code).not.toBe(0);
    expect(output).toMatch(/broken\.alloy:4:3: expected expression/);
  });
});

/**
 * A committed stack rendered with the log agent in `mode`, the monitor scraper on and the event
 * collector on: every Alloy config the program can render for that stack.
 */
async function renderEveryAlloy(stack: StackName, mode: "node" | "api"): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const section = (key: string) => JSON.parse(config[`observability:${key}`] ?? "{}") as Json;
  const { objects } = await renderWithConfig(
    `${stack}-${mode}-alloys`,
    {
      ...config,
      "observability:logs": JSON.stringify({ ...section("logs"), collectionMode: mode, clusterEvents: true }),
      "observability:metrics": JSON.stringify({
        ...section("metrics"),
        prometheusOperatorMonitors: { enabled: true, namespaces: ["cert-manager"] },
      }),
    },
    secretKeys,
  );
  return objects;
}

/** The Alloy workloads a render holds, by the name of their config's ConfigMap. */
const ALLOY_WORKLOADS = [
  { kinds: ["DaemonSet", "StatefulSet"], name: "alloy", configMap: "alloy-config" },
  { kinds: ["Deployment"], name: "monitor-scraper", configMap: "monitor-scraper-config" },
  { kinds: ["Deployment"], name: "event-collector", configMap: "event-collector-config" },
];

/** The components a config instantiates: its top-level blocks (`<component> "<label>" {`). */
const componentsOf = (config: string): string[] => [
  ...new Set([...config.matchAll(/^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+) "/gm)].map((m) => m[1])),
];

describe("the Alloy build the tests run: the shipped release, with every component the renders use", () => {
  const configs: { name: string; text: string; args: string[]; image: string }[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "alloy-build-"));
    for (const stack of STACKS) {
      for (const mode of ["node", "api"] as const) {
        const objects = await renderEveryAlloy(stack, mode);
        for (const workload of ALLOY_WORKLOADS) {
          const object = objects.find(
            (o) => workload.kinds.includes(o.kind) && o.metadata.name === workload.name,
          );
          const container = (object as Json).spec.template.spec.containers[0];
          configs.push({
            name: `${stack}-${mode}-${workload.name}`,
            text: configMapData(objects, workload.configMap)["config.alloy"],
            args: container.args,
            image: container.image,
          });
        }
      }
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("every rendered Alloy config (both stacks, both collection modes, the monitor scraper, the event collector) validates", async () => {
    expect(configs.map((c) => c.name)).toHaveLength(STACKS.length * 2 * ALLOY_WORKLOADS.length);
    for (const config of configs) {
      const file = path.join(dir, `${config.name}.alloy`);
      fs.writeFileSync(file, config.text);
      const stability = config.args.filter((arg) => arg.startsWith("--stability.level="));
      const { stdout, stderr } = await run(tools.alloy(), ["validate", ...stability, file]);
      expect({ config: config.name, output: stdout + stderr }).toEqual({ config: config.name, output: "" });
    }
  });

  test("no rendered Alloy runs clustered, so none needs the peer discovery the build leaves out", () => {
    expect(configs.flatMap((c) => c.args.filter((arg) => arg.startsWith("--cluster.")))).toEqual([]);
  });

  test("the binary registers every component the configs use", async () => {
    const used = [...new Set(configs.flatMap((c) => componentsOf(c.text)))].sort();
    // Both collection modes, the monitor scraper and the event collector are among them.
    expect(used).toEqual(
      expect.arrayContaining([
        "loki.source.file",
        "loki.source.kubernetes",
        "prometheus.operator.servicemonitors",
        "loki.source.kubernetes_events",
      ]),
    );
    const registered = (await run(tools.alloy(), ["components"])).stdout.trim().split("\n");
    expect(used.filter((name) => !registered.includes(name))).toEqual([]);
  });

  test("the binary is the release of the image the stack ships", async () => {
    const tags = [...new Set(configs.map((c) => c.image.split(":").pop()))];
    expect(tags).toHaveLength(1);
    const { stdout } = await run(tools.alloy(), ["--version"]);
    expect(stdout).toMatch(new RegExp(`^alloy, version ${tags[0]} `));
  });
});
