import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { unplacedPlatform } from "../common/placement";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { serviceArgs } from "../common/service";
import { rolloutDone, rolloutTimeouts } from "../common/rollout";
import { clusterUrl } from "../common/serviceUrl";
import { containerPorts, servicePorts } from "../common/workloadSpec";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { demoProgram } from "./demoProgram";
import {
  DEMO_NAMESPACE,
  DEMO_PROGRAM_CONFIGMAP,
  DEMO_PROGRAM_PATH,
  DEMO_SERVICES,
  DemoService,
  demoWorkload,
} from "./names";
import { DemoSettings } from "./settings";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Requests a second the frontend sends itself: enough for every panel, little for a laptop. */
const DEMO_LOAD_PER_SECOND = 2;
/** One pod per service: the demo exercises the stack, not its own availability. */
const DEMO_REPLICAS = 1;

/** Share of payments that fail, and of checkouts that wait for a lock: the red and the slow in the demo. */
const FAILURES: Readonly<Record<string, { errors?: number; slow?: number }>> = {
  "demo-checkout": { slow: 0.05 },
  "demo-payments": { errors: 0.03 },
};

/**
 * The keys of the app tracing ConfigMap a demo service reads, as any app would with `envFrom`;
 * named one by one so that a missing key fails the pod instead of silently falling back.
 */
const TRACING_KEYS = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "ZIPKIN_ENDPOINT",
  "TRACING_SAMPLING_PROBABILITY",
  "OTEL_RESOURCE_ATTRIBUTES",
  "MANAGEMENT_METRICS_DISTRIBUTION_SLO_HTTP_SERVER_REQUESTS",
];

/** The environment that gives the demo program its role: demoService.ts reads exactly these. */
function demoServiceEnv(service: DemoService): Record<string, string> {
  const callee = DEMO_SERVICES.find((s) => s.name === service.calls);
  const failures = FAILURES[service.name] ?? {};
  return {
    DEMO_SERVICE: service.name,
    PORT: String(service.port),
    DEMO_ROUTE: `${service.route.method} ${service.route.path}`,
    DEMO_TRACES: service.traces,
    ...(callee === undefined
      ? {}
      : {
          DEMO_DOWNSTREAM: `${callee.route.method} ${clusterUrl(callee.name, DEMO_NAMESPACE, callee.port)}${callee.route.path}`,
          DEMO_DOWNSTREAM_B3: String(callee.traces === "zipkin"),
        }),
    ...(failures.errors === undefined ? {} : { DEMO_ERROR_RATIO: String(failures.errors) }),
    ...(failures.slow === undefined ? {} : { DEMO_SLOW_RATIO: String(failures.slow) }),
    ...(service.events === undefined
      ? {}
      : { DEMO_EVENTS: `${service.events.counter} ${service.events.bad} ${service.events.good}` }),
    // The first service drives the others: nothing calls it.
    ...(DEMO_SERVICES.some((s) => s.calls === service.name)
      ? {}
      : { DEMO_LOAD_PER_SECOND: String(DEMO_LOAD_PER_SECOND) }),
  };
}

/**
 * The demo services in their own namespace: the program in a ConfigMap, and per service a
 * Deployment of the pinned node image running it, a Service (what the app scrape job discovers)
 * and the NetworkPolicy the wiring graph gives it.
 */
export function deployDemo(name: string, config: DemoSettings, opts: pulumi.CustomResourceOptions): void {
  const namespace = DEMO_NAMESPACE;
  const program = { "demo.js": demoProgram() };
  const programId = { name: DEMO_PROGRAM_CONFIGMAP, component: "demo" };
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-program`,
    { metadata: objectMeta(programId, namespace), data: program },
    opts,
  );
  for (const service of DEMO_SERVICES) {
    const spec = demoWorkload(service);
    const id = { name: service.name, component: "demo", image: config.demo.image };
    const env: EnvVar[] = [
      ...Object.entries(demoServiceEnv(service)).map(([key, value]) => ({ name: key, value })),
      ...TRACING_KEYS.map((key) => ({
        name: key,
        valueFrom: { configMapKeyRef: { name: config.tracingConfigMap, key } },
      })),
    ];
    const podSpec = hardenedPodSpec({
      platform: unplacedPlatform(config),
      containers: [
        {
          name: "app",
          image: config.demo.image,
          command: ["node", `${DEMO_PROGRAM_PATH}/demo.js`],
          env,
          ports: containerPorts(spec),
          resources: config.demo.resources,
          volumeMounts: [{ name: "program", mountPath: DEMO_PROGRAM_PATH, readOnly: true }],
          livenessProbe: httpProbe("http", "/actuator/health", { failureThreshold: LIVENESS_FAILURES }),
          readinessProbe: httpProbe("http", "/actuator/health"),
          // Node.js sizes its heap from the cgroup limit itself.
          goRuntime: false,
        },
      ],
      volumes: [{ name: "program", configMap: { name: DEMO_PROGRAM_CONFIGMAP } }],
    });
    new k8s.apps.v1.Deployment(
      `${name}-${service.name}`,
      {
        metadata: { ...objectMeta(id, namespace), annotations: rolloutDone("Deployment", DEMO_REPLICAS) },
        spec: {
          replicas: DEMO_REPLICAS,
          selector: { matchLabels: selectorLabels(id) },
          template: podTemplate(id, podSpec, program),
        },
      },
      { ...opts, dependsOn: [configMap], customTimeouts: rolloutTimeouts(config.cluster) },
    );
    new k8s.core.v1.Service(
      `${name}-${service.name}`,
      serviceArgs({ id, namespace, ports: servicePorts(spec) }),
      opts,
    );
    deployWorkloadPolicy(`${name}-${service.name}`, config.wiring, namespace, id, opts);
  }
}
