import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { spreadAcrossNodes } from "../common/disruption";
import { WorkloadIdentity } from "../common/labels";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { Workload, deployWorkload } from "../common/workload";
import { ExtraDashboardFolder } from "./extraDashboards";
import { DASHBOARD_RELOAD_SECONDS } from "./grafanaProvisioning";
import {
  GRAFANA,
  GRAFANA_CONFIG,
  GRAFANA_PATHS,
  GRAFANA_PEERS_SERVICE,
  extraDashboardsConfigMap,
  extraDashboardsPath,
  GRAFANA_HEALTH_PATH,
  GRAFANA_LIVENESS_PATH,
} from "./names";
import { grafanaPublicUrl } from "./publicUrl";
import { GrafanaSettings } from "./settings";
import { ssoEnv } from "./singleSignOn";

/**
 * The start Grafana may take before the kubelet gives up: database migrations after an upgrade run
 * before the server answers. Grafana cannot be built here (docs/operations.md, "Probes and scratch space").
 */
const GRAFANA_STARTUP = { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 60 };

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Pod annotation carrying the rotation key: changing it restarts Grafana, which applies the new password. */
export const ROTATION_ANNOTATION = "observability.io/credentials-rotation";

/** Keys of the `grafana-credentials` Secret. */
export const SECRET_KEYS = {
  adminPassword: "admin-password",
  secretKey: "secret-key",
  databasePassword: "database-password",
  ssoClientSecret: "sso-client-secret",
} as const;

/** What the workload mounts: the credentials Secret and the provisioning ConfigMaps, with their content. */
export interface GrafanaInputs {
  readonly credentials: k8s.core.v1.Secret;
  readonly provisioning: k8s.core.v1.ConfigMap;
  readonly dashboards: k8s.core.v1.ConfigMap;
  /** One ConfigMap per `grafana.extraDashboards` folder. */
  readonly extraDashboards: readonly {
    readonly folder: ExtraDashboardFolder;
    readonly configMap: k8s.core.v1.ConfigMap;
  }[];
  /** Hashed into the pod template: datasources are read at start, so a change rolls the pods. */
  readonly datasourcesYaml: pulumi.Input<string>;
  readonly providerYaml: string;
}

const secretFile = (key: string) => `${GRAFANA_PATHS.secrets}/${key}`;

/** Grafana's settings, as environment; credentials only as `__FILE` paths into the mounted Secret. */
function grafanaEnv(config: GrafanaSettings): EnvVar[] {
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const database = config.grafana.database;
  const sso = config.grafana.sso;
  const settings: Record<string, pulumi.Input<string>> = {
    GF_SERVER_HTTP_PORT: String(GRAFANA.ports.http.port),
    // What the browser opens: OAuth redirect URIs and links are built from it (on kind the NodePort,
    // not Grafana's own port).
    GF_SERVER_ROOT_URL: grafanaPublicUrl(config.exposure),
    GF_PATHS_DATA: GRAFANA_PATHS.data,
    // The root filesystem is read-only: everything Grafana writes goes under its data path.
    GF_PATHS_LOGS: `${GRAFANA_PATHS.data}/log`,
    GF_PATHS_PLUGINS: `${GRAFANA_PATHS.data}/plugins`,
    GF_PATHS_PROVISIONING: GRAFANA_PATHS.provisioning,
    GF_SECURITY_ADMIN_USER: config.grafana.adminUser,
    GF_SECURITY_ADMIN_PASSWORD__FILE: secretFile(SECRET_KEYS.adminPassword),
    GF_SECURITY_SECRET_KEY__FILE: secretFile(SECRET_KEYS.secretKey),
    GF_SECURITY_COOKIE_SECURE: String(ingress !== undefined),
    GF_SECURITY_COOKIE_SAMESITE: "lax",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_LOG_MODE: "console",
    // Amazon Managed Prometheus: SigV4 with the pod's IRSA role, and no other AWS credentials.
    ...(config.metrics.remoteWrite === undefined
      ? {}
      : { GF_AUTH_SIGV4_AUTH_ENABLED: "true", GF_AWS_ALLOWED_AUTH_PROVIDERS: "default" }),
    ...(database === undefined
      ? {}
      : {
          GF_DATABASE_TYPE: "postgres",
          GF_DATABASE_HOST: database.host,
          GF_DATABASE_NAME: database.name,
          GF_DATABASE_USER: database.user,
          GF_DATABASE_PASSWORD__FILE: secretFile(SECRET_KEYS.databasePassword),
          GF_DATABASE_SSL_MODE: database.sslMode,
        }),
    ...(sso === undefined ? {} : ssoEnv(sso, secretFile(SECRET_KEYS.ssoClientSecret))),
  };
  const env: EnvVar[] = Object.entries(settings).map(([name, value]) => ({ name, value }));
  if (config.grafana.replicas === 1) {
    return env;
  }
  // Grafana's own alerting: replicas gossip so that each alert is evaluated and sent once.
  return [
    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    ...env,
    {
      name: "GF_UNIFIED_ALERTING_HA_PEERS",
      value: `${GRAFANA_PEERS_SERVICE}.${config.namespaces.observability}.svc.cluster.local:${GRAFANA.ports["mesh-tcp"].port}`,
    },
    { name: "GF_UNIFIED_ALERTING_HA_LISTEN_ADDRESS", value: `0.0.0.0:${GRAFANA.ports["mesh-tcp"].port}` },
    {
      name: "GF_UNIFIED_ALERTING_HA_ADVERTISE_ADDRESS",
      value: `$(POD_IP):${GRAFANA.ports["mesh-tcp"].port}`,
    },
  ];
}

/**
 * Grafana sets GF_SECURITY_ADMIN_PASSWORD only when it creates the admin user. This sets the
 * mounted password on every start (a rotation restarts the pods). With SQLite it runs only once
 * the database exists; with PostgreSQL, the CLI's own start-up creates the schema and the admin
 * user first when the database is new.
 */
function applyPasswordScript(config: GrafanaSettings): string {
  const reset =
    "grafana cli --homepath /usr/share/grafana admin reset-admin-password --password-from-stdin " +
    `< "${secretFile(SECRET_KEYS.adminPassword)}"`;
  return config.grafana.database === undefined
    ? `if [ -f "${GRAFANA_PATHS.data}/grafana.db" ]; then ${reset}; fi`
    : reset;
}

/**
 * Grafana's pods. With SQLite (the default, kind): one replica as a StatefulSet on its own volume,
 * so an update never waits on a volume the old pod holds, with the headless `grafana-peers` giving
 * its pod a DNS name (the `grafana` Service is a NodePort or behind the Ingress). With
 * `grafana.database`: a Deployment of `grafana.replicas` without a volume, its state in PostgreSQL,
 * replicas spread with a disruption budget and gossiping through `grafana-peers` for Grafana's own
 * alerting, where they must find each other before they are ready. Returns the `grafana` Service
 * first.
 */
export function deployGrafanaWorkload(
  name: string,
  config: GrafanaSettings,
  id: WorkloadIdentity,
  inputs: GrafanaInputs,
  opts: pulumi.CustomResourceOptions,
): Workload {
  const replicas = config.grafana.replicas;
  const gossip = replicas > 1;
  const shared = config.grafana.database !== undefined;
  const remoteWrite = config.metrics.remoteWrite;
  const env = grafanaEnv(config);
  // With a shared database the data path holds only logs and plugins: scratch space per pod.
  const dataMount = shared ? [] : [{ name: "data", mountPath: GRAFANA_PATHS.data }];
  const scratchPaths = shared ? ["/tmp", GRAFANA_PATHS.data] : ["/tmp"];
  const mounts = [...dataMount, { name: "credentials", mountPath: GRAFANA_PATHS.secrets, readOnly: true }];
  const provisioningItem = (key: string) => ({
    name: GRAFANA_CONFIG.provisioning,
    items: [{ key, path: key }],
  });
  return deployWorkload(
    name,
    {
      spec: GRAFANA,
      component: id.component,
      image: config.images.grafana,
      namespace: config.namespaces.observability,
      settings: config,
      placement: "grafana",
      // IRSA: the pods query Amazon Managed Prometheus as metrics.remoteWrite.queryRoleArn. The
      // identity webhook projects its own token; the Kubernetes API token stays unmounted.
      ...(remoteWrite === undefined ? {} : { serviceAccount: { roleArn: remoteWrite.queryRoleArn } }),
      mountedConfig: [
        {
          resource: inputs.credentials,
          volumes: [
            {
              name: "credentials",
              secret: { secretName: GRAFANA_CONFIG.credentials, defaultMode: 0o440 },
            },
          ],
        },
        {
          resource: inputs.provisioning,
          volumes: [
            { name: "datasources", configMap: provisioningItem("datasources.yaml") },
            { name: "dashboard-providers", configMap: provisioningItem("dashboards.yaml") },
          ],
        },
        {
          resource: inputs.dashboards,
          volumes: [{ name: "dashboards", configMap: { name: GRAFANA_CONFIG.dashboards } }],
        },
        ...inputs.extraDashboards.map(({ folder, configMap }) => ({
          resource: configMap,
          volumes: [
            { name: `extra-${folder.slug}`, configMap: { name: extraDashboardsConfigMap(folder.slug) } },
          ],
        })),
      ],
      container: {
        name: "grafana",
        env,
        resources: config.resources.grafana,
        volumeMounts: [
          ...mounts,
          { name: "datasources", mountPath: `${GRAFANA_PATHS.provisioning}/datasources`, readOnly: true },
          {
            name: "dashboard-providers",
            mountPath: `${GRAFANA_PATHS.provisioning}/dashboards`,
            readOnly: true,
          },
          { name: "dashboards", mountPath: GRAFANA_PATHS.dashboards, readOnly: true },
          ...inputs.extraDashboards.map(({ folder }) => ({
            name: `extra-${folder.slug}`,
            mountPath: extraDashboardsPath(folder.slug),
            readOnly: true,
          })),
        ],
        scratchPaths,
        // /api/health also checks the database: readiness follows it, so a database failover takes
        // Grafana out of rotation; liveness asks the web server alone, so it restarts nothing.
        livenessProbe: httpProbe("http", GRAFANA_LIVENESS_PATH, {
          initialDelaySeconds: 0,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("http", GRAFANA_HEALTH_PATH, { initialDelaySeconds: 0, periodSeconds: 5 }),
        startupProbe: httpProbe("http", GRAFANA_HEALTH_PATH, GRAFANA_STARTUP),
      },
      containerPortNames: gossip ? ["http", "mesh-tcp", "mesh-udp"] : ["http"],
      pod: {
        initContainers: [
          {
            name: "apply-admin-password",
            image: config.images.grafana,
            command: ["sh", "-c"],
            args: [applyPasswordScript(config)],
            env,
            resources: config.resources.grafana,
            volumeMounts: mounts,
            scratchPaths,
          },
        ],
        mountServiceAccountToken: false,
        ...(gossip ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {}),
      },
      // Datasources are read at start: a change rolls the pods. Dashboards reload on their own.
      rolledBy: { datasources: inputs.datasourcesYaml, providers: inputs.providerYaml },
      readsLive: Object.fromEntries(
        ["dashboards", ...inputs.extraDashboards.map(({ folder }) => `extra-${folder.slug}`)].map(
          (volume) => [
            volume,
            `Grafana re-reads the dashboard files within ${DASHBOARD_RELOAD_SECONDS} s, no restart`,
          ],
        ),
      ),
      podAnnotations: { [ROTATION_ANNOTATION]: config.grafana.credentialsRotation },
      controller: shared
        ? {
            kind: "Deployment",
            replicas,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          }
        : {
            kind: "StatefulSet",
            replicas,
            serviceName: GRAFANA_PEERS_SERVICE,
            storageSize: config.grafana.storageSize,
            holdsHistory: true,
          },
      services: [
        {
          portNames: ["http"],
          ...(config.exposure.mode === "nodePort"
            ? { nodePorts: { http: config.exposure.nodePorts.grafana } }
            : {}),
        },
        ...(shared && !gossip
          ? []
          : [
              {
                name: GRAFANA_PEERS_SERVICE,
                headless: true,
                publishNotReadyAddresses: gossip,
                portNames: gossip ? ["mesh-tcp", "mesh-udp"] : ["http"],
              },
            ]),
      ],
      wiring: config.wiring,
    },
    opts,
  );
}
