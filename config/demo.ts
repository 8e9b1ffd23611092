/**
 * The demo workload's facts, known to the config so that, when `demo.enabled`, its namespace and
 * services join `apps` like any observed app (scrape job, tracing ConfigMap, log collection, SLOs).
 */
export const DEMO_NAMESPACE = "observability-demo";

/** How a demo service sends its spans: OTLP/HTTP JSON, or Zipkin v2 JSON to the `zipkin` Service. */
type DemoTraceProtocol = "otlp" | "zipkin";

export interface DemoService {
  readonly name: string;
  readonly port: number;
  readonly traces: DemoTraceProtocol;
  /** The one endpoint it serves. */
  readonly route: { readonly method: "GET" | "POST"; readonly path: string };
  /** The demo service it calls for every request, if any. */
  readonly calls?: string;
  /**
   * A business counter it publishes, as a Micrometer Counter tagged `outcome`: one increment per
   * request, `bad` when the request met the service's simulated trouble (a failure or a lock wait),
   * and the business SLO over it (its share of `good` outcomes).
   */
  readonly events?: {
    readonly counter: string;
    readonly bad: string;
    readonly good: string;
    readonly slo: { readonly name: string; readonly objective: number };
  };
}

/** A frontend calls checkout, which calls payments: one trace crosses all three. */
export const DEMO_SERVICES: readonly DemoService[] = [
  {
    name: "demo-frontend",
    port: 8080,
    traces: "otlp",
    route: { method: "GET", path: "/api/orders" },
    calls: "demo-checkout",
  },
  {
    name: "demo-checkout",
    port: 8080,
    traces: "otlp",
    route: { method: "POST", path: "/api/checkout" },
    calls: "demo-payments",
    events: {
      counter: "seat_locks",
      bad: "conflict",
      good: "acquired",
      slo: { name: "demo-seat-lock-conflicts", objective: 0.93 },
    },
  },
  {
    name: "demo-payments",
    port: 8080,
    traces: "zipkin",
    route: { method: "POST", path: "/api/payments" },
    events: {
      counter: "payments",
      bad: "failed",
      good: "succeeded",
      slo: { name: "demo-payment-failures", objective: 0.95 },
    },
  },
];

/** Where the demo services publish their metrics, as a Spring Boot service does. */
export const DEMO_METRICS_PATH = "/actuator/prometheus";
export const DEMO_SCRAPE_INTERVAL = "10s";

/** A demo service as `apps.services` lists it. */
interface DemoListedService {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly metricsPath: string;
  readonly scrapeInterval: string;
  readonly sampleLimit?: undefined;
  readonly labelLimit?: undefined;
  readonly slo?: undefined;
}

type ListedApps = { readonly namespaces?: readonly string[]; readonly services?: readonly unknown[] };

/**
 * `apps` with the demo's namespace and services after the listed ones: the demo is an app like any
 * other, so that it exercises the path real apps take.
 */
export function appsWithDemo<A extends ListedApps>(
  apps: A,
): Omit<A, "namespaces" | "services"> & {
  readonly namespaces: readonly string[];
  readonly services: readonly (NonNullable<A["services"]>[number] | DemoListedService)[];
} {
  return {
    ...apps,
    namespaces: [...(apps.namespaces ?? []), DEMO_NAMESPACE],
    services: [
      ...((apps.services ?? []) as NonNullable<A["services"]>),
      ...DEMO_SERVICES.map((s) => ({
        name: s.name,
        namespace: DEMO_NAMESPACE,
        port: s.port,
        metricsPath: DEMO_METRICS_PATH,
        scrapeInterval: DEMO_SCRAPE_INTERVAL,
      })),
    ],
  };
}

/** The compliance window of the demo's business SLOs: a week of made-up traffic on a laptop. */
const DEMO_SLO_WINDOW = "7d";

/** A ratio SLO as `metrics.slos` states one. */
export interface DemoSlo {
  readonly name: string;
  readonly service: string;
  readonly objective: number;
  readonly window: string;
  readonly indicator: {
    readonly kind: "ratio";
    readonly errors?: string;
    readonly good?: string;
    readonly total: string;
  };
}

/**
 * The business SLOs over the demo's counters, as `metrics.slos` entries, by name: they come and go
 * with the demo, so a stack without it has no SLO over a service it does not run.
 */
export const DEMO_SLOS: readonly DemoSlo[] = DEMO_SERVICES.flatMap((service): DemoSlo[] => {
  if (service.events === undefined) {
    return [];
  }
  const { counter, bad, slo } = service.events;
  const total = `${counter}_total{service="${service.name}"}`;
  return [
    {
      name: slo.name,
      service: service.name,
      objective: slo.objective,
      window: DEMO_SLO_WINDOW,
      indicator: {
        kind: "ratio",
        errors: `${counter}_total{service="${service.name}", outcome="${bad}"}`,
        total,
      },
    },
  ];
}).sort((a, b) => a.name.localeCompare(b.name));
