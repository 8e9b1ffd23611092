// Every container of every rendered workload, on both profiles, their extended and mesh variants, held to
// the probe rules: it has a liveness and a readiness probe; its liveness asks the process alone,
// never a service it depends on; and liveness waits out the shared budget before a restart.
//
// "The process alone" is what each image's own documentation or source says of the endpoint, cited
// per image below. An endpoint that reports anything the process reaches (a database, the API
// server, the components' view of their backends) is a readiness signal: failing it restarts a
// healthy process and cannot bring the dependency back.
import { Container, renderedPods } from "../../../checks/podSpecs";
import { LIVENESS_FAILURES } from "../../../components/common/probes";
import { RenderedStack } from "../../../render/renderStack";
import { rendered } from "../../support/renderedStacks";
import { renderedExtended } from "../../support/extendedStack";
import { renderedMesh } from "../../support/meshStack";
import { STACKS } from "../../kit/stacks";

type Probe = NonNullable<Container["livenessProbe"]>;

interface ProcessOnly {
  /** `GET <path>`, `TCP <port>` or `exec <command>`, as `probeTarget` prints a probe. */
  readonly endpoint: string;
  /** Where the image's makers say what the endpoint checks. */
  readonly source: string;
}

/** Per image repository, the liveness endpoints that answer for the process alone. */
const PROCESS_ONLY: Readonly<Record<string, ProcessOnly>> = {
  "quay.io/prometheus/prometheus": {
    endpoint: "GET /-/healthy",
    // "This endpoint always returns 200 and should be used to check Prometheus health."
    source: "https://prometheus.io/docs/prometheus/latest/management_api/",
  },
  "quay.io/prometheus/alertmanager": {
    endpoint: "GET /-/healthy",
    // "/-/healthy and /-/ready ... return 200 OK when the service is ready to serve HTTP requests."
    source: "https://github.com/prometheus/alertmanager/issues/2034",
  },
  "quay.io/thanos/thanos": {
    endpoint: "GET /-/healthy",
    // Sidecar and Query set the HTTP prober healthy when they start and unhealthy only as they stop
    // (cmd/thanos/sidecar.go, cmd/thanos/query.go; pkg/prober/http.go).
    source: "https://github.com/thanos-io/thanos/blob/v0.42.4/pkg/prober/http.go",
  },
  "quay.io/prometheus/node-exporter": {
    endpoint: "exec wget -q -O /dev/null http://127.0.0.1:9100/",
    // The landing page the exporter's own web server serves, on the loopback it listens on behind
    // its proxy (the kubelet reaches the node's address only), fetched by its image's busybox.
    source: "https://github.com/prometheus/node_exporter#usage",
  },
  "quay.io/brancz/kube-rbac-proxy": {
    endpoint: "TCP metrics",
    // Its own listener (--secure-listen-address); every request there is authenticated and
    // proxied, so a request would ask the API server and node-exporter too.
    source: "https://github.com/brancz/kube-rbac-proxy#usage",
  },
  "registry.k8s.io/kube-state-metrics/kube-state-metrics": {
    endpoint: "GET /healthz",
    // "/healthz: Returns a 200 status code if the application is running." Its /livez asks the API
    // server's /livez (handleClusterDelegationForProber in pkg/app/server.go).
    source: "https://github.com/kubernetes/kube-state-metrics#healthcheck-endpoints",
  },
  "quay.io/prometheus-operator/prometheus-config-reloader": {
    endpoint: "TCP reloader",
    // Its own listener (--listen-address), which serves its metrics.
    source:
      "https://github.com/prometheus-operator/prometheus-operator/tree/main/cmd/prometheus-config-reloader",
  },
  "docker.io/grafana/loki": {
    endpoint: "GET /loki/api/v1/status/buildinfo",
    // "exposes build information in a JSON object"; /ready is the one that follows the ring and WAL.
    source: "https://grafana.com/docs/loki/latest/reference/loki-http-api/#list-build-information",
  },
  "docker.io/grafana/loki-canary": {
    endpoint: "GET /metrics",
    // Its own metrics handler; it writes to and reads from Loki in the background.
    source: "https://grafana.com/docs/loki/latest/operations/loki-canary/",
  },
  "docker.io/grafana/tempo": {
    endpoint: "GET /metrics",
    // The server's metrics handler, up from the first second; /ready follows the ingester.
    source: "https://grafana.com/docs/tempo/latest/api_docs/",
  },
  "docker.io/grafana/alloy": {
    endpoint: "GET /-/ready",
    // In v1.19.0 /-/healthy answers 500 while any component reports itself unhealthy
    // (internal/service/http/http.go), and prometheus.operator.* report their API server errors so;
    // /-/ready is the runtime's loadedOnce flag: true once the first config loaded, then for good.
    source: "https://grafana.com/docs/alloy/latest/reference/http/",
  },
  "docker.io/grafana/grafana": {
    endpoint: "GET /healthz",
    // healthzHandler "always return 200 - Ok if Grafana's web server is running"; apiHealthHandler
    // answers 503 when the database cannot be reached (pkg/api/http_server.go).
    source: "https://github.com/grafana/grafana/blob/main/pkg/api/http_server.go",
  },
  "docker.io/otel/opentelemetry-collector-contrib": {
    endpoint: "GET /",
    // The health_check extension reports the collector's own status ("Server available");
    // check_collector_pipeline, which would follow exporters, is not set (and not recommended).
    source:
      "https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/extension/healthcheckextension",
  },
  "quay.io/kiali/kiali": {
    endpoint: "GET /kiali/healthz",
    // Healthz "is a trivial endpoint that simply returns a 200 status code ... You can use this for
    // readiness and liveness probes" (handlers/root.go; /kiali is the web root).
    source: "https://github.com/kiali/kiali/blob/v2.29.0/handlers/root.go",
  },
  "docker.io/library/node": {
    endpoint: "GET /actuator/health",
    // The demo program answers {"status":"UP"} without calling anything (demo/demoService.ts).
    source: "demo/demoService.ts",
  },
};

/** The shared liveness budget: a probe every 10 s fails LIVENESS_FAILURES times before a restart. */
const LIVENESS_BUDGET_SECONDS = LIVENESS_FAILURES * 10;

function probeTarget(probe: Probe): string {
  if (probe.httpGet !== undefined) {
    return `GET ${probe.httpGet.path ?? "/"}`;
  }
  if (probe.tcpSocket !== undefined) {
    return `TCP ${String(probe.tcpSocket.port)}`;
  }
  if (probe.exec !== undefined) {
    return `exec ${(probe.exec.command ?? []).join(" ")}`;
  }
  return "gRPC";
}

const repository = (image: string | undefined) => (image ?? "").replace(/@.*$/, "").replace(/:[^:/]*$/, "");

const renders: [string, () => Promise<RenderedStack>][] = STACKS.flatMap((stack) => [
  [stack, () => rendered(stack)] as [string, () => Promise<RenderedStack>],
  [`extended ${stack}`, () => renderedExtended(stack)] as [string, () => Promise<RenderedStack>],
  [`mesh ${stack}`, () => renderedMesh(stack)] as [string, () => Promise<RenderedStack>],
]);

describe.each(renders)("the %s render", (_name, render) => {
  const containers = async () =>
    renderedPods((await render()).objects).flatMap((pod) =>
      pod.spec.containers.map((c) => ({ where: `${pod.owner}/${c.name}`, c })),
    );

  test("every container has a liveness and a readiness probe", async () => {
    for (const { where, c } of await containers()) {
      expect(`${where}: ${c.livenessProbe === undefined ? "no liveness" : "liveness"}`).toBe(
        `${where}: liveness`,
      );
      expect(`${where}: ${c.readinessProbe === undefined ? "no readiness" : "readiness"}`).toBe(
        `${where}: readiness`,
      );
    }
  });

  test("every liveness probe asks the process alone, as its image documents the endpoint", async () => {
    for (const { where, c } of await containers()) {
      const documented = PROCESS_ONLY[repository(c.image)];
      expect(`${where} (${repository(c.image)}): ${probeTarget(c.livenessProbe!)}`).toBe(
        `${where} (${repository(c.image)}): ${documented?.endpoint ?? "an endpoint no image here documents"}`,
      );
    }
  });

  test(`every liveness probe waits the shared budget (${LIVENESS_FAILURES} × 10 s) before a restart`, async () => {
    for (const { where, c } of await containers()) {
      const probe = c.livenessProbe!;
      const budget = (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
      expect(`${where}: ${budget >= LIVENESS_BUDGET_SECONDS ? "waits" : `restarts after ${budget} s`}`).toBe(
        `${where}: waits`,
      );
    }
  });
});

test("every documented image runs in some render, so no entry above is left untested", async () => {
  const images = new Set<string>();
  for (const [, render] of renders) {
    for (const pod of renderedPods((await render()).objects)) {
      pod.spec.containers.forEach((c) => images.add(repository(c.image)));
    }
  }
  expect(Object.keys(PROCESS_ONLY).filter((image) => !images.has(image))).toEqual([]);
});
