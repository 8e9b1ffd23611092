import * as path from "path";
import type * as k8s from "@pulumi/kubernetes";
import type { ContainerSpec } from "../common/podSpec";
import type { ScrapeConfig } from "../common/prometheusTypes";
import { LIVENESS_FAILURES, execProbe, tcpProbe } from "../common/probes";
import { workloadScrapeJob } from "../common/scrapeJobs";
import { containerPorts } from "../common/workloadSpec";
import { NODE_EXPORTER, SERVICE_ACCOUNT_TOKEN } from "./names";
import { MetricsSettings } from "./settings";

/**
 * Where node-exporter listens behind the proxy: the node's loopback, on the port number the proxy
 * takes on the node's address (as kube-prometheus does), which no other node or pod can reach.
 */
export const NODE_EXPORTER_LOOPBACK = `127.0.0.1:${NODE_EXPORTER.ports.metrics.port}`;

/** The environment variable the pod's address reaches the proxy's listen address through. */
const POD_IP_ENV = "POD_IP";

/** The proxy's own API token; the pod mounts none, so node-exporter holds no token. */
const API_TOKEN_VOLUME = "kube-rbac-proxy-api-token";

/** What the proxy's ServiceAccount may do: ask the API server who a caller is, and whether it may get /metrics. */
export const NODE_EXPORTER_PROXY_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
  { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
  { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
];

/**
 * kube-rbac-proxy in front of node-exporter: TLS on the pod's address (the node's, on the host
 * network), each caller's token checked by a TokenReview and its `get` on the non-resource URL
 * /metrics by a SubjectAccessReview, then proxied to the loopback. Its certificate is self-signed
 * at start: there is no CA in the stack to sign one, so the scraper's token authenticates it to
 * the proxy and not the other way round (kube-prometheus' setting too).
 */
export function nodeExporterProxyContainer(
  config: Pick<MetricsSettings, "images" | "resources">,
): ContainerSpec {
  return {
    name: "kube-rbac-proxy",
    image: config.images.kubeRbacProxy,
    args: [
      `--secure-listen-address=[$(${POD_IP_ENV})]:${NODE_EXPORTER.ports.metrics.port}`,
      `--upstream=http://${NODE_EXPORTER_LOOPBACK}/`,
      // Anything else node-exporter serves (its landing page) is not proxied: 404.
      "--allow-paths=/metrics",
      "--tls-min-version=VersionTLS13",
    ],
    env: [{ name: POD_IP_ENV, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
    ports: containerPorts(NODE_EXPORTER),
    resources: config.resources.kubeRbacProxy,
    volumeMounts: [
      { name: API_TOKEN_VOLUME, mountPath: path.posix.dirname(SERVICE_ACCOUNT_TOKEN), readOnly: true },
    ],
    livenessProbe: tcpProbe("metrics", { failureThreshold: LIVENESS_FAILURES }),
    readinessProbe: tcpProbe("metrics", { initialDelaySeconds: 2 }),
  };
}

/** The proxy's API token and the cluster's CA, where its in-cluster client reads them. */
export const NODE_EXPORTER_PROXY_VOLUMES: k8s.types.input.core.v1.Volume[] = [
  {
    name: API_TOKEN_VOLUME,
    projected: {
      defaultMode: 0o440,
      sources: [
        {
          serviceAccountToken: { path: path.posix.basename(SERVICE_ACCOUNT_TOKEN), expirationSeconds: 3600 },
        },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      ],
    },
  },
];

/**
 * node-exporter's probe behind the proxy: the kubelet reaches a host-network pod on the node's
 * address, where only the proxy listens, so the check runs inside the container (its image's
 * busybox wget) against the loopback.
 */
export const loopbackProbe = (timing: Parameters<typeof execProbe>[1]) =>
  execProbe(["wget", "-q", "-O", "/dev/null", `http://${NODE_EXPORTER_LOOPBACK}/`], timing);

/** Prometheus' node-exporter job: through the proxy, HTTPS with its ServiceAccount's token. */
export function nodeExporterScrapeJob(
  settings: Pick<MetricsSettings, "namespaces" | "metrics">,
): ScrapeConfig {
  const { job_name, ...discovery } = workloadScrapeJob(NODE_EXPORTER, settings.namespaces.node);
  if (!settings.metrics.nodeExporter.authProxy) {
    return { job_name, ...discovery };
  }
  return {
    job_name,
    scheme: "https",
    authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN },
    tls_config: { insecure_skip_verify: true },
    ...discovery,
  };
}
