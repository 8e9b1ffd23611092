import { DashboardSpec, panel, prom } from "../dashboard/model";
import { SERVICE_VARIABLE, UIDS } from "./services";

const RATE = "$__rate_interval";
const svc = 'service=~"$service"';

/** Micrometer's JVM, HikariCP and Resilience4j metrics of the Spring services. */
export function jvm(): DashboardSpec {
  return {
    uid: UIDS.jvm,
    title: "JVM / Spring",
    description:
      "Heap, GC, threads, connection pool and Resilience4j circuit breakers and retries (Micrometer).",
    tags: ["observability", "jvm", "spring"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "timeseries",
        "Heap used",
        [prom(`sum by (service) (jvm_memory_used_bytes{${svc}, area="heap"})`, "{{service}}")],
        {
          unit: "bytes",
        },
      ),
      panel(
        "timeseries",
        "GC pause time",
        [prom(`sum by (service) (rate(jvm_gc_pause_seconds_sum{${svc}}[${RATE}]))`, "{{service}}")],
        {
          unit: "s",
        },
      ),
      panel("timeseries", "Live threads", [
        prom(`sum by (service) (jvm_threads_live_threads{${svc}})`, "{{service}}"),
      ]),
      panel("timeseries", "Connection pool", [
        prom(`sum by (service) (hikaricp_connections_active{${svc}})`, "active {{service}}"),
        prom(`sum by (service) (hikaricp_connections_pending{${svc}})`, "pending {{service}}"),
      ]),
      panel("timeseries", "Circuit breaker state (1 = open)", [
        prom(
          `max by (service, name) (resilience4j_circuitbreaker_state{${svc}, state="open"})`,
          "{{service}} {{name}}",
        ),
      ]),
      panel(
        "timeseries",
        "Circuit breaker calls",
        [
          prom(
            `sum by (service, name, kind) (rate(resilience4j_circuitbreaker_calls_seconds_count{${svc}}[${RATE}]))`,
            "{{service}} {{name}} {{kind}}",
          ),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Retries",
        [
          prom(
            `sum by (service, name, kind) (rate(resilience4j_retry_calls_total{${svc}}[${RATE}]))`,
            "{{service}} {{name}} {{kind}}",
          ),
        ],
        { unit: "ops", width: 24 },
      ),
    ],
  };
}

/** prom-client's default Node.js metrics. */
export function nodejs(): DashboardSpec {
  return {
    uid: UIDS.nodejs,
    title: "Node.js runtime",
    description: "Event-loop lag, heap and CPU of Node.js services (prom-client default metrics).",
    tags: ["observability", "nodejs"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "timeseries",
        "Event-loop lag p99",
        [prom(`max by (service) (nodejs_eventloop_lag_p99_seconds{${svc}})`, "{{service}}")],
        {
          unit: "s",
        },
      ),
      panel(
        "timeseries",
        "Heap used",
        [prom(`sum by (service) (nodejs_heap_size_used_bytes{${svc}})`, "{{service}}")],
        {
          unit: "bytes",
        },
      ),
      panel(
        "timeseries",
        "CPU",
        [prom(`sum by (service) (rate(process_cpu_seconds_total{${svc}}[${RATE}]))`, "{{service}}")],
        {
          unit: "short",
        },
      ),
      panel("timeseries", "Active handles", [
        prom(`sum by (service) (nodejs_active_handles_total{${svc}})`, "{{service}}"),
      ]),
    ],
  };
}
