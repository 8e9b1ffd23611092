import { workloadSpec } from "../common/workloadSpec";

// Kiali's ports, as its chart (kiali/helm-charts kiali-server) declares them: the UI and API, and
// its own metrics.
export const KIALI = workloadSpec("kiali", {
  http: { port: 20001 },
  "http-metrics": { port: 9090, scrape: true },
});

/** The path Kiali serves under, its default off OpenShift: the UI at `<host>/kiali`. */
export const KIALI_WEB_ROOT = "/kiali";

/** Answers without a login: the probes and the load balancer's health check. */
export const KIALI_HEALTH_PATH = `${KIALI_WEB_ROOT}/healthz`;

export const KIALI_PATHS = {
  config: "/kiali-configuration",
  configFile: "/kiali-configuration/config.yaml",
} as const;
