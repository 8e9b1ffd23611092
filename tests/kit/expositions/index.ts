// The fixture expositions in this folder, as apps print them: served over HTTP in place
// of an app's metrics endpoint, written by remote write as the collector's exporter does, or
// turned into promtool input series.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { LocalHttpServer } from "../httpServers";

const DIR = __dirname;

export type Fixture =
  | "spring-boot-defaults"
  | "spring-boot-percentiles-histogram"
  | "spring-boot-slo-boundaries"
  | "spring-boot-slo-boundaries-slow"
  | "spring-boot-no-web"
  | "prom-client-express-prom-bundle"
  | "client-golang-promhttp"
  | "opentelemetry-java-prometheus-exporter"
  | "otel-collector-spanmetrics"
  | "node-exporter"
  | "kube-state-metrics"
  | "cadvisor"
  | "kubelet"
  | "coredns"
  | "apiserver"
  | "istio-proxy-ratings"
  | "istio-proxy-productpage"
  | "istiod";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export const exposition = (fixture: Fixture): string =>
  fs.readFileSync(path.join(DIR, `${fixture}.prom`), "utf8");

export const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
/** Monotonic series: their fixture value is a total at one moment, and grows with time. */
export const CUMULATIVE = /(_total|_count|_sum|_bucket)$/;

/** Every sample line of an exposition, in order. */
export function samples(text: string): Sample[] {
  return text
    .split("\n")
    .map((line) => SAMPLE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, name, labels, value]) => ({
      name,
      labels: Object.fromEntries([...(labels ?? "").matchAll(LABEL)].map(([, k, v]) => [k, v])),
      value: Number(value),
    }));
}

/** The exposition with every cumulative value multiplied by `factor`, all else byte for byte. */
export function grown(text: string, factor: number): string {
  return text
    .split("\n")
    .map((line) => {
      const match = SAMPLE.exec(line);
      if (match === null || !CUMULATIVE.test(match[1])) {
        return line;
      }
      return line.slice(0, line.length - match[3].length) + String(+(Number(match[3]) * factor).toFixed(6));
    })
    .join("\n");
}

/** Growth since `start`: the fixture's totals once per 10 s, so rates are a tenth of them. */
export const growth = (start: number): number => 1 + (Date.now() - start) / 10000;

/**
 * A local server standing in for an app pod: `metricsPath` answers with the fixture, its totals
 * growing; with several, one after another, as an endpoint that merges expositions (Istio's agent)
 * serves them. Over HTTPS with `tls` (PEM key and certificate), as the kubelet serves.
 */
export async function expositionServer(
  fixture: Fixture | readonly Fixture[],
  metricsPath: string,
  tls?: { readonly key: string; readonly cert: string },
): Promise<LocalHttpServer> {
  const fixtures: readonly Fixture[] = typeof fixture === "string" ? [fixture] : fixture;
  const start = Date.now();
  const handler: http.RequestListener = (req, res) => {
    if (req.url !== metricsPath) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(fixtures.map((f) => grown(exposition(f), growth(start))).join("\n"));
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

// Remote write 1.0: a snappy-compressed protobuf WriteRequest. Encoded by hand (the wire format
// is four small messages) and compressed as snappy literals only, which every decoder accepts.

function varint(n: number): number[] {
  const bytes: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    bytes.push(rest % 0x80 | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  return [...bytes, rest];
}

const field = (number: number, payload: readonly number[]) => [
  ...varint((number << 3) | 2),
  ...varint(payload.length),
  ...payload,
];
const text = (number: number, value: string) => field(number, [...Buffer.from(value, "utf8")]);

function encodeSample(value: number, timestampMs: number): number[] {
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  return [0x09, ...double, 0x10, ...varint(timestampMs)];
}

function writeRequest(series: readonly Sample[], timestampMs: number): Buffer {
  const bytes = series.flatMap((s) => {
    const labels = Object.entries({ ...s.labels, __name__: s.name }).sort(([a], [b]) => (a < b ? -1 : 1));
    return field(1, [
      ...labels.flatMap(([name, value]) => field(1, [...text(1, name), ...text(2, value)])),
      ...field(2, encodeSample(s.value, timestampMs)),
    ]);
  });
  return Buffer.from(bytes);
}

function snappyLiterals(data: Buffer): Buffer {
  const chunks: Buffer[] = [Buffer.from(varint(data.length))];
  for (let offset = 0; offset < data.length; offset += 0x10000) {
    const chunk = data.subarray(offset, offset + 0x10000);
    const header = Buffer.alloc(3);
    header[0] = 61 << 2; // a literal whose length - 1 follows in two bytes
    header.writeUInt16LE(chunk.length - 1, 1);
    chunks.push(header, chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes the samples, stamped now, to a Prometheus remote-write endpoint. */
export async function remoteWrite(url: string, series: readonly Sample[]): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
    body: snappyLiterals(writeRequest(series, Date.now())),
  });
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
}

/**
 * A fixture as `promtool test rules` input series of one service: its samples (those `only`
 * keeps) with `labels` added, totals growing by the fixture's value every interval, gauges constant.
 */
export function promtoolSeries(
  fixture: Fixture,
  labels: Readonly<Record<string, string>>,
  intervals: number,
  only: (sample: Sample) => boolean = () => true,
): Record<string, string> {
  return Object.fromEntries(
    samples(exposition(fixture))
      .filter(only)
      .map((s) => {
        const all = Object.entries({ ...s.labels, ...labels }).map(([k, v]) => `${k}="${v}"`);
        const values = CUMULATIVE.test(s.name) ? `0+${s.value}x${intervals}` : `${s.value}x${intervals}`;
        return [`${s.name}{${all.join(",")}}`, values];
      }),
  );
}
