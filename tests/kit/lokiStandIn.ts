// A stand-in for Loki, which is under the AGPL and so is neither built nor run by this project.
// It runs in the test's own process on 127.0.0.1 (port 0, the kernel's choice, reported back) and
// answers what the stack's side calls, in the shapes Loki's HTTP API documents:
//   POST /loki/api/v1/push      protobuf + snappy (Alloy's loki.write) or JSON; tenant from
//                               X-Scope-OrgID where the rendered config turns auth on ("fake" where
//                               it is off); 204, or 400 naming the refused entries (the rest kept)
//   GET  /loki/api/v1/query       metric queries at `time` → vector
//   GET  /loki/api/v1/query_range log queries → streams; metric queries → matrix
//   GET  /loki/api/v1/labels, /label/<name>/values, /series
//   GET  /ready, /metrics (loki_distributor_lines_received_total, as the dashboards read it)
// LogQL is parsed with Grafana's grammar and evaluated for the constructs logqlQuery.ts lists;
// any other is refused with 400 naming it. It keeps lines in memory only: it has no WAL, ring,
// replication, retention, compactor, ruler or tail (WebSocket) API, enforces no rate limits, and
// does not add the `detected_level` metadata Loki's discover_log_levels gives a line without a
// level; nothing measured on it says anything about Loki's.
import * as http from "http";
import * as yaml from "js-yaml";
import { AddressInfo } from "net";
import { KubeObject } from "../../render/manifest";
import { Json } from "./json";
import { configMapData } from "./rendered";
import { Labels, labelsKey } from "./lokiStandIn/labels";
import { LogStore, StoreLimits } from "./lokiStandIn/logStore";
import { decodePush } from "./lokiStandIn/pushRequest";
import { LogQuery, LogqlNotEvaluated, LogqlParseError, Query, parseLogql } from "./lokiStandIn/logqlQuery";
import {
  EvaluatedEntry,
  evaluateAt,
  matches,
  selectEntries,
  selectorProblem,
} from "./lokiStandIn/logqlEvaluation";
import { stepParameter, timeParameter } from "./lokiStandIn/queryParameters";

/** The Loki stand-in as a test sees it, shaped like the other local servers. */
export interface LokiStandIn {
  readonly base: string;
  /** The tenant queries and pushes use ("fake" where the rendered config has auth off). */
  readonly tenant: string;
  /** The header queries need where auth is on. */
  readonly headers: Record<string, string>;
  /** Stops answering: a push or query meanwhile is refused, as a Loki that is down. */
  stop(): Promise<void>;
  /** Answers again on the same port, with the lines it held. */
  resume(): Promise<void>;
}

export interface LokiStandInOptions {
  readonly authEnabled: boolean;
  /** The tenant a test pushes and queries as, where auth is on. */
  readonly tenant: string;
  readonly limits: StoreLimits;
  /** Where to listen; the kernel's choice (0) unless a test needs the stand-in back on a port it knows. */
  readonly port?: number;
}

const HOUR_NS = 3_600_000_000_000n;

function durationNs(text: string | undefined, fallback: bigint): bigint {
  const match = /^([0-9]+)(s|m|h|d)$/.exec(text ?? "");
  if (match === null) {
    return fallback;
  }
  const unit = { s: 1_000_000_000n, m: 60_000_000_000n, h: HOUR_NS, d: 24n * HOUR_NS }[match[2]] as bigint;
  return BigInt(match[1]) * unit;
}

function bytes(text: string | undefined): number {
  const match = /^([0-9]+)(KB|MB)?$/.exec(text ?? "0");
  return match === null ? 0 : Number(match[1]) * (match[2] === "MB" ? 2 ** 20 : match[2] === "KB" ? 1024 : 1);
}

/**
 * The stand-in's settings from the rendered loki.yaml: auth (multi-tenancy), and the push limits
 * it applies (reject_old_samples(_max_age), max_line_size, max_label_names_per_series, and the
 * out-of-order window, half of ingester.max_chunk_age, 2h by default). The tenant is the rules
 * directory's, as the ruler reads rules for it.
 */
export function lokiStandInOptions(objects: readonly KubeObject[], tenant: string): LokiStandInOptions {
  const config = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
  const limits = (config.limits_config ?? {}) as Json;
  return {
    authEnabled: config.auth_enabled === true,
    tenant,
    limits: {
      rejectOlderThanNs:
        limits.reject_old_samples === true
          ? durationNs(limits.reject_old_samples_max_age, 168n * HOUR_NS)
          : undefined,
      outOfOrderWindowNs: durationNs(config.ingester?.max_chunk_age, 2n * HOUR_NS) / 2n,
      maxLineBytes: bytes(limits.max_line_size ?? "256KB"),
      maxLabelNames: Number(limits.max_label_names_per_series ?? 15),
    },
  };
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const DEFAULT_LIMIT = 100;

/** A time as Loki's vector and matrix answers give it: Unix seconds, a number with a fraction. */
const seconds = (ns: bigint): number => Number(ns / 1_000_000n) / 1000;

function parse(text: string | null): Query {
  if (text === null || text === "") {
    throw new BadRequest("query parameter is required");
  }
  const query = parseLogql(text);
  const selectors: LogQuery[] = [];
  const collect = (q: Query): void => {
    switch (q.kind) {
      case "log":
        selectors.push(q);
        return;
      case "range":
        selectors.push(q.log);
        return;
      case "sum":
      case "labelReplace":
        collect(q.inner);
        return;
      case "compare":
        collect(q.vector);
        return;
      case "unless":
        collect(q.left);
        collect(q.right);
    }
  };
  collect(query);
  for (const selector of selectors) {
    const problem = selectorProblem(selector.selector);
    if (problem !== undefined) {
      throw new LogqlParseError(problem);
    }
  }
  return query;
}

/** A log query's answer: the `limit` entries nearest the direction's start, grouped by labels. */
function streamsResult(entries: EvaluatedEntry[], limit: number, forward: boolean): Json[] {
  const ordered = entries.sort((a, b) =>
    a.timestamp === b.timestamp ? 0 : a.timestamp < b.timestamp === forward ? -1 : 1,
  );
  const streams = new Map<string, { stream: Labels; values: [string, string][] }>();
  for (const entry of ordered.slice(0, limit)) {
    const key = labelsKey(entry.labels);
    const stream = streams.get(key) ?? { stream: entry.labels, values: [] };
    stream.values.push([String(entry.timestamp), entry.line]);
    streams.set(key, stream);
  }
  return [...streams.values()];
}

export async function startLokiStandIn(options: LokiStandInOptions): Promise<LokiStandIn> {
  const store = new LogStore(options.limits);
  const received = new Map<string, number>();

  const tenantOf = (req: http.IncomingMessage): string => {
    if (!options.authEnabled) {
      return "fake";
    }
    const header = req.headers["x-scope-orgid"];
    if (typeof header !== "string" || header === "") {
      throw new BadRequest("no org id", 401);
    }
    return header;
  };

  const push = (req: http.IncomingMessage, body: Buffer): void => {
    const tenant = tenantOf(req);
    let streams;
    try {
      streams = decodePush(body, req.headers["content-type"], req.headers["content-encoding"]);
    } catch (error) {
      throw new BadRequest(`loghttp push: ${(error as Error).message}`);
    }
    const outcome = store.push(tenant, streams, BigInt(Date.now()) * 1_000_000n);
    received.set(tenant, (received.get(tenant) ?? 0) + outcome.accepted);
    if (outcome.refused.length > 0) {
      throw new BadRequest(outcome.refused.join("\n"));
    }
  };

  const query = (url: URL, tenant: string): Json => {
    const parsed = parse(url.searchParams.get("query"));
    const now = BigInt(Date.now()) * 1_000_000n;
    if (url.pathname.endsWith("/query")) {
      if (parsed.kind === "log") {
        throw new LogqlNotEvaluated(
          "the Loki stand-in does not evaluate a log query as an instant query: use query_range",
        );
      }
      const at = timeParameter(url.searchParams.get("time"), now);
      return {
        resultType: "vector",
        result: evaluateAt(store.streams(tenant), parsed, at).map((s) => ({
          metric: s.labels,
          value: [seconds(at), String(s.value)],
        })),
      };
    }
    const end = timeParameter(url.searchParams.get("end"), now);
    const start = timeParameter(url.searchParams.get("start"), end - HOUR_NS);
    if (parsed.kind === "log") {
      const limit = Number(url.searchParams.get("limit") ?? DEFAULT_LIMIT);
      const entries = selectEntries(store.streams(tenant), parsed, start, end);
      return {
        resultType: "streams",
        result: streamsResult(entries, limit, url.searchParams.get("direction") === "forward"),
      };
    }
    const step = stepParameter(url.searchParams.get("step"), start, end);
    const series = new Map<string, { metric: Labels; values: [number, string][] }>();
    for (let t = start; t <= end; t += BigInt(step) * 1_000_000n) {
      for (const sample of evaluateAt(store.streams(tenant), parsed, t)) {
        const key = labelsKey(sample.labels);
        const one = series.get(key) ?? { metric: sample.labels, values: [] };
        one.values.push([seconds(t), String(sample.value)]);
        series.set(key, one);
      }
    }
    return { resultType: "matrix", result: [...series.values()] };
  };

  /** The streams with entries in the request's range (6 hours by default) matching its selectors. */
  const streamsIn = (url: URL, tenant: string, selectorParameter: "query" | "match[]"): Labels[] => {
    const end = timeParameter(url.searchParams.get("end"), BigInt(Date.now()) * 1_000_000n);
    const start = timeParameter(url.searchParams.get("start"), end - 6n * HOUR_NS);
    const selectors = url.searchParams.getAll(selectorParameter).map((text) => {
      const parsed = parse(text);
      if (parsed.kind !== "log" || parsed.pipeline.length > 0) {
        throw new LogqlNotEvaluated(`the Loki stand-in takes only stream selectors here, not ${text}`);
      }
      return parsed.selector;
    });
    return store
      .streams(tenant)
      .filter(
        (stream) =>
          (selectors.length === 0 || selectors.some((s) => s.every((m) => matches(m, stream.labels)))) &&
          stream.entries.some((e) => e.timestamp >= start && e.timestamp < end),
      )
      .map((stream) => stream.labels);
  };

  const answer = (
    req: http.IncomingMessage,
    body: Buffer,
  ): { status: number; json?: unknown; text?: string } => {
    const url = new URL(req.url ?? "/", "http://loki");
    const path = url.pathname;
    if (path === "/ready") {
      return { status: 200, text: "ready\n" };
    }
    if (path === "/metrics") {
      return {
        status: 200,
        text: [
          "# HELP loki_distributor_lines_received_total The number of lines received per tenant (Loki stand-in).",
          "# TYPE loki_distributor_lines_received_total counter",
          ...[...received].map(
            ([tenant, n]) => `loki_distributor_lines_received_total{tenant="${tenant}"} ${n}`,
          ),
          "",
        ].join("\n"),
      };
    }
    if (path === "/loki/api/v1/push" && req.method === "POST") {
      push(req, body);
      return { status: 204 };
    }
    const tenant = tenantOf(req);
    if (path === "/loki/api/v1/query" || path === "/loki/api/v1/query_range") {
      return { status: 200, json: { status: "success", data: query(url, tenant) } };
    }
    if (path === "/loki/api/v1/labels") {
      const names = new Set(streamsIn(url, tenant, "query").flatMap((labels) => Object.keys(labels)));
      return { status: 200, json: { status: "success", data: [...names].sort() } };
    }
    const values = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (values !== null) {
      const name = decodeURIComponent(values[1]);
      const found = new Set(
        streamsIn(url, tenant, "query").flatMap((labels) =>
          labels[name] === undefined ? [] : [labels[name]],
        ),
      );
      return { status: 200, json: { status: "success", data: [...found].sort() } };
    }
    if (path === "/loki/api/v1/series") {
      return { status: 200, json: { status: "success", data: streamsIn(url, tenant, "match[]") } };
    }
    return { status: 404, text: "404 page not found\n" };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let reply: { status: number; json?: unknown; text?: string };
      try {
        reply = answer(req, Buffer.concat(chunks));
      } catch (error) {
        const known =
          error instanceof BadRequest ||
          error instanceof LogqlParseError ||
          error instanceof LogqlNotEvaluated;
        reply = {
          status: error instanceof BadRequest ? error.status : known ? 400 : 500,
          text: `${(error as Error).message}\n`,
        };
      }
      if (reply.json !== undefined) {
        res.writeHead(reply.status, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(reply.json));
      } else {
        res.writeHead(reply.status, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(reply.text ?? "");
      }
    });
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);
  const tenant = options.authEnabled ? options.tenant : "fake";
  let listening = true;
  return {
    base: `http://127.0.0.1:${port}`,
    tenant,
    headers: options.authEnabled ? { "X-Scope-OrgID": tenant } : {},
    stop: () =>
      new Promise<void>((resolve) => {
        if (!listening) {
          resolve();
          return;
        }
        listening = false;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    resume: async () => {
      if (!listening) {
        await listen(port);
        listening = true;
      }
    },
  };
}
