import { RATE_INTERVAL, prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** Micrometer's JVM, HikariCP and Resilience4j metrics of the Spring services. */
export const jvmSpring = defineDashboard({ uid: "obs-jvm", title: "JVM / Spring" }, () => ({
  description:
    "Heap, GC, threads, connection pool and Resilience4j circuit breakers and retries (Micrometer).",
  tags: ["observability", "jvm", "spring"],
  variables: [SERVICE_VARIABLE],
  panels: [
    timeSeries({
      title: "Heap used",
      queries: [
        prom(`sum by (service) (jvm_memory_used_bytes{${SERVICE_MATCHER}, area="heap"})`, "{{service}}"),
      ],
      unit: "bytes",
    }),
    timeSeries({
      title: "GC pause time",
      queries: [
        prom(
          `sum by (service) (rate(jvm_gc_pause_seconds_sum{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
          "{{service}}",
        ),
      ],
      unit: "s",
    }),
    timeSeries({
      title: "Live threads",
      queries: [prom(`sum by (service) (jvm_threads_live_threads{${SERVICE_MATCHER}})`, "{{service}}")],
    }),
    timeSeries({
      title: "Connection pool",
      queries: [
        prom(`sum by (service) (hikaricp_connections_active{${SERVICE_MATCHER}})`, "active {{service}}"),
        prom(`sum by (service) (hikaricp_connections_pending{${SERVICE_MATCHER}})`, "pending {{service}}"),
      ],
    }),
    timeSeries({
      title: "Circuit breaker state (1 = open)",
      queries: [
        prom(
          `max by (service, name) (resilience4j_circuitbreaker_state{${SERVICE_MATCHER}, state="open"})`,
          "{{service}} {{name}}",
        ),
      ],
    }),
    timeSeries({
      title: "Circuit breaker calls",
      queries: [
        prom(
          `sum by (service, name, kind) (rate(resilience4j_circuitbreaker_calls_seconds_count{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
          "{{service}} {{name}} {{kind}}",
        ),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "Retries",
      queries: [
        prom(
          `sum by (service, name, kind) (rate(resilience4j_retry_calls_total{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
          "{{service}} {{name}} {{kind}}",
        ),
      ],
      unit: "ops",
      width: 24,
    }),
  ],
}));
