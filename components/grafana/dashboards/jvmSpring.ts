import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** Micrometer's JVM, HikariCP and Resilience4j metrics of the Spring services. */
export const jvmSpring: DashboardDefinition = {
  uid: "obs-jvm",
  title: "JVM / Spring",
  content: () => ({
    description:
      "Heap, GC, threads, connection pool and Resilience4j circuit breakers and retries (Micrometer).",
    tags: ["observability", "jvm", "spring"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "timeseries",
        "Heap used",
        [prom(`sum by (service) (jvm_memory_used_bytes{${SERVICE_MATCHER}, area="heap"})`, "{{service}}")],
        {
          unit: "bytes",
        },
      ),
      panel(
        "timeseries",
        "GC pause time",
        [
          prom(
            `sum by (service) (rate(jvm_gc_pause_seconds_sum{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
            "{{service}}",
          ),
        ],
        {
          unit: "s",
        },
      ),
      panel("timeseries", "Live threads", [
        prom(`sum by (service) (jvm_threads_live_threads{${SERVICE_MATCHER}})`, "{{service}}"),
      ]),
      panel("timeseries", "Connection pool", [
        prom(`sum by (service) (hikaricp_connections_active{${SERVICE_MATCHER}})`, "active {{service}}"),
        prom(`sum by (service) (hikaricp_connections_pending{${SERVICE_MATCHER}})`, "pending {{service}}"),
      ]),
      panel("timeseries", "Circuit breaker state (1 = open)", [
        prom(
          `max by (service, name) (resilience4j_circuitbreaker_state{${SERVICE_MATCHER}, state="open"})`,
          "{{service}} {{name}}",
        ),
      ]),
      panel(
        "timeseries",
        "Circuit breaker calls",
        [
          prom(
            `sum by (service, name, kind) (rate(resilience4j_circuitbreaker_calls_seconds_count{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
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
            `sum by (service, name, kind) (rate(resilience4j_retry_calls_total{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
            "{{service}} {{name}} {{kind}}",
          ),
        ],
        { unit: "ops", width: 24 },
      ),
    ],
  }),
};
