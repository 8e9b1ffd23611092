import { randomBytes } from "crypto";
import { Finding } from "../cli/findings";
import { Count } from "./checks";
import { request } from "./httpJson";
import { sleep } from "../../tests/kit/sleep";

/** The collector's own counters (its telemetry endpoint), summed over every receiver or exporter. */
export const COLLECTOR_COUNTERS = {
  accepted: "otelcol_receiver_accepted_spans_total",
  sent: "otelcol_exporter_sent_spans_total",
  failed: "otelcol_exporter_send_failed_spans_total",
} as const;

/** The sum of every sample of `name` in a Prometheus text exposition. */
export function sumSamples(exposition: string, name: string): number {
  return exposition
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function counters(telemetry: string): Promise<Record<keyof typeof COLLECTOR_COUNTERS, number>> {
  const response = await request(`${telemetry}/metrics`);
  if (!response.ok) {
    throw new Error(`GET ${telemetry}/metrics answered ${response.status}`);
  }
  const text = await response.text();
  return {
    accepted: sumSamples(text, COLLECTOR_COUNTERS.accepted),
    sent: sumSamples(text, COLLECTOR_COUNTERS.sent),
    failed: sumSamples(text, COLLECTOR_COUNTERS.failed),
  };
}

/** One span in OTLP/HTTP JSON, as an SDK sends it: a probe no app could be confused with. */
export function probeSpan(now = Date.now()): string {
  const nanos = (ms: number) => `${BigInt(ms) * 1000000n}`;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "observability-verify" } }] },
        scopeSpans: [
          {
            scope: { name: "npm run verify" },
            spans: [
              {
                traceId: randomBytes(16).toString("hex"),
                spanId: randomBytes(8).toString("hex"),
                name: "verify probe",
                kind: 1,
                startTimeUnixNano: nanos(now - 5),
                endTimeUnixNano: nanos(now),
              },
            ],
          },
        ],
      },
    ],
  });
}

/** The probe span went in and out; the collector's totals since it started. */
export const collectorExports = (totals: { accepted: Count; sent: Count; failed: Count }): Finding => ({
  status: "ok",
  message: `the collector receives and exports: the probe span went through (${totals.accepted} accepted, ${totals.sent} sent, ${totals.failed} failed in total)`,
});

export const TEMPO_READY: Finding = { status: "ok", message: "Tempo is ready" };

interface TracesTarget {
  readonly otlpHttp: string;
  readonly telemetry: string;
  readonly tempo: string;
  /** The stack's namespace, for the fixes. */
  readonly namespace: string;
  /** How long the collector may take to export the probe: its batch timeout, and some. */
  readonly exportWithinMs: number;
}

/**
 * The collector receives and exports without any app: verify sends one probe span to its
 * OTLP/HTTP receiver (the port apps use) and watches its own counters take it in and send it on.
 * Then Tempo's readiness.
 */
export async function tracesFindings(target: TracesTarget): Promise<Finding[]> {
  const logs = `kubectl -n ${target.namespace} logs sts/otel-collector | grep -i -e error -e refused`;
  const before = await counters(target.telemetry);
  const posted = await request(`${target.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: probeSpan(),
  });
  const findings: Finding[] = [];
  if (!posted.ok) {
    findings.push({
      status: "blocking",
      message: `the collector refused a span on OTLP/HTTP (${posted.status}: ${(await posted.text()).slice(0, 200)})`,
      fix: logs,
    });
  } else {
    const deadline = Date.now() + target.exportWithinMs;
    let after = await counters(target.telemetry);
    while (after.sent <= before.sent && Date.now() < deadline) {
      await sleep(500);
      after = await counters(target.telemetry);
    }
    const failed = after.failed - before.failed;
    findings.push(
      after.accepted <= before.accepted
        ? {
            status: "blocking",
            message: "the collector answered but did not accept the probe span",
            fix: logs,
          }
        : after.sent <= before.sent
          ? {
              status: "blocking",
              message: `the collector accepted the probe span but exported nothing within ${target.exportWithinMs / 1000} s (${failed} span(s) failed to send meanwhile)`,
              fix: `${logs}; check that Tempo is ready and the NetworkPolicy from otel-collector to tempo:4317`,
            }
          : collectorExports(after),
    );
  }
  const tempo = await request(`${target.tempo}/ready`);
  findings.push(
    tempo.ok
      ? TEMPO_READY
      : {
          status: "blocking",
          message: `Tempo is not ready (${tempo.status}: ${(await tempo.text()).trim().slice(0, 200)})`,
          fix: `kubectl -n ${target.namespace} logs sts/tempo | grep -i error`,
        },
  );
  return findings;
}
