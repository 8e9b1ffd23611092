import * as http from "http";
import { AddressInfo } from "net";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logPods, writeLogs } from "../../../scripts/benchLoad/logs";
import { Pacer } from "../../../scripts/benchLoad/pacer";
import { sizing, useTable } from "../../../scripts/benchLoad/report";
import { SPANS_PER_TRACE, otlpBatch } from "../../../scripts/benchLoad/spans";
import { memoryLimiterBytes } from "../../../scripts/benchLoad/stack";
import { podLogFile } from "../../kit/localServers";
import { rendered } from "../../support/renderedStacks";
import { containerEnv, objectNamed } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

test("requests and limits are the rendered main container's, as quantities", async () => {
  const { objects } = await rendered("kind");
  const { resources } = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0];
  const s = sizing(objects, "loki");
  expect(`${s.memoryLimit / 2 ** 20}Mi`).toBe(resources.limits.memory);
  expect(`${Math.round(s.cpuRequest * 1000)}m`).toBe(resources.requests.cpu);
});

test("containerEnv gives a rendered container's literal env and leaves out what the pod supplies", async () => {
  const { objects } = await rendered("prod");
  const env = containerEnv(objects, "grafana");
  expect(env.GF_SERVER_HTTP_PORT).toBe("3006");
  expect(env).not.toHaveProperty("POD_IP");
});

test("the table puts use next to request and limit, with peak/limit and steady/request ratios", () => {
  const table = useTable([
    {
      component: "loki",
      sizing: { cpuRequest: 0.1, memoryRequest: 256 * 2 ** 20, cpuLimit: 0.5, memoryLimit: 512 * 2 ** 20 },
      use: { steadyCpu: 0.05, steadyRss: 128 * 2 ** 20, peakCpu: 0.25, peakRss: 384 * 2 ** 20 },
    },
  ]).split("\n");
  expect(table[1].split(/\s{2,}/)).toEqual([
    "loki",
    "100m/256Mi",
    "500m/512Mi",
    "50m/128Mi",
    "250m/384Mi",
    "75%, 50%",
    "50%, 50%",
  ]);
});

test("the pacer offers its rate and counts what a receiver refuses, with the receiver's answer", async () => {
  let served = 0;
  const server = http.createServer((_req, res) => {
    served++;
    // Loki's answer once its ingestion rate limit is hit.
    const limited = served > 5;
    res.writeHead(limited ? 429 : 204);
    res.end(limited ? "ingestion rate limit exceeded for user fake" : undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const start = Date.now();
  const pacer = new Pacer(100, () => fetch(url, { method: "POST" }));
  await sleep(1550);
  pacer.stop();
  const seconds = (Date.now() - start) / 1000;
  await sleep(300);
  server.close();
  const counts = pacer.counts();
  // The first five requests (ten items each at 100/s) are accepted, however late the timer fires.
  expect(counts.accepted).toBeGreaterThanOrEqual(50);
  expect(counts.inFlight).toBe(0);
  // Offered: 100 per second of wall time, less at most the last tick's 100 ms.
  expect(counts.accepted + counts.refused).toBeGreaterThanOrEqual(Math.floor(100 * (seconds - 0.2)));
  expect(counts.accepted + counts.refused).toBeLessThanOrEqual(Math.ceil(100 * seconds));
  expect(counts.lastError).toBe("429 ingestion rate limit exceeded for user fake");
});

test("the pacer holds items back once 32 requests go unanswered, and counts them", async () => {
  const pending: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => pending.push(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // Ten requests of ten items a tick, none answered while the pacer runs.
  const pacer = new Pacer(1000, () => fetch(url, { method: "POST" }), 10);
  await sleep(1050);
  pacer.stop();
  const counts = pacer.counts();
  pending.forEach((res) => res.end());
  server.close();
  expect(counts.inFlight).toBe(32);
  expect(counts.sent).toBeLessThanOrEqual(320);
  expect(counts.heldBack).toBeGreaterThanOrEqual(500);
  expect(counts.sent + counts.heldBack).toBeGreaterThanOrEqual(900);
});

test("log lines go to the pods' CRI log files in the Spring pattern with trace and span IDs, round robin", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-logs-"));
  try {
    const pods = logPods(
      [
        ["ticket-service-0", "ticket-service", "tiketi-spring"],
        ["payment-service-0", "payment-service", "tiketi-spring"],
      ],
      "bench-node-0",
    );
    writeLogs(dir, pods, 10);
    const lines = pods.map((pod) => fs.readFileSync(podLogFile(dir, pod), "utf8").trimEnd().split("\n"));
    expect(lines.map((l) => l.length)).toEqual([5, 5]);
    for (const [i, pod] of pods.entries()) {
      expect(pod.labels["app.kubernetes.io/name"]).toBe(pod.container);
      for (const line of lines[i]) {
        expect(line).toMatch(
          new RegExp(
            `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z stdout F [\\d-]+ [\\d:.]+ +[A-Z]+ \\[${pod.container},[0-9a-f]{32},[0-9a-f]{16}\\] `,
          ),
        );
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("span batches are whole five-span traces across services, some failed and some slow", () => {
  const batch = otlpBatch(["ticket-service", "payment-service", "queue-service", "stats-service"], 500);
  const spans = (batch.resourceSpans as Json[]).flatMap((r: Json) => r.scopeSpans[0].spans as Json[]);
  expect(spans).toHaveLength(500);
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(500 / SPANS_PER_TRACE);
  expect(spans.some((s) => s.status.code === 2)).toBe(true);
  const slowest = Math.max(
    ...spans.map((s) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6),
  );
  expect(slowest).toBeGreaterThan(1000);
});

test("the collector is judged against the RSS its memory_limiter refuses at in a pod", () => {
  const configMap = (limiter: string) => [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "otel-collector-config" },
      data: { "config.yaml": `processors:\n  memory_limiter:\n    check_interval: 1s\n${limiter}` },
    },
  ];
  const limit = 384 * 2 ** 20;
  expect(memoryLimiterBytes(configMap("    limit_percentage: 80\n"), "otel-collector", limit)).toBe(
    0.8 * limit,
  );
  expect(memoryLimiterBytes(configMap("    limit_mib: 300\n"), "otel-collector", limit)).toBe(300 * 2 ** 20);
});
