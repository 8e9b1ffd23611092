import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../config";
import { objectMeta } from "./common/metadata";
import { serviceArgs } from "./common/service";
import { workloadPolicy } from "./wiring/policies";
import { InitContainerSpec, hardenedPodSpec, podTemplate } from "./common/podSpec";
import { httpProbe } from "./common/probes";
import { dataProtection, volumeStatefulSetArgs } from "./common/statefulSet";
import { toYaml } from "./common/yaml";
import { datasourceProvisioning, escapeForProvisioning } from "./grafana/datasources";
import { allDashboards } from "./grafana/dashboards";
import { GRAFANA, GRAFANA_PATHS } from "./grafana/names";
import { ScrapeRegistry, serviceScrapeJob } from "./metrics/scrapeRegistry";

export interface GrafanaStackArgs {
  readonly config: StackConfig;
  /** Grafana's own metrics are registered here for Prometheus. */
  readonly scrapeJobs: ScrapeRegistry;
}

/** Pod annotation carrying the rotation key: changing it restarts Grafana, which applies the new password. */
export const ROTATION_ANNOTATION = "observability.io/credentials-rotation";

const SECRET_KEYS = { adminPassword: "admin-password", secretKey: "secret-key" } as const;

export function registerGrafanaScrapeJobs(registry: ScrapeRegistry, config: StackConfig): ScrapeRegistry {
  return registry.register(
    serviceScrapeJob({
      job: GRAFANA.name,
      namespace: config.namespaces.observability,
      service: GRAFANA.name,
      portName: "http",
    }),
  );
}

/** Grafana's settings, as environment; credentials only as `__FILE` paths into the mounted Secret. */
function grafanaEnv(config: StackConfig) {
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const settings: Record<string, string> = {
    GF_SERVER_HTTP_PORT: String(GRAFANA.port),
    ...(ingress === undefined ? {} : { GF_SERVER_ROOT_URL: `https://${ingress.host}` }),
    GF_PATHS_DATA: GRAFANA_PATHS.data,
    // The root filesystem is read-only: everything Grafana writes goes to its volume.
    GF_PATHS_LOGS: `${GRAFANA_PATHS.data}/log`,
    GF_PATHS_PLUGINS: `${GRAFANA_PATHS.data}/plugins`,
    GF_PATHS_PROVISIONING: GRAFANA_PATHS.provisioning,
    GF_SECURITY_ADMIN_USER: config.grafana.adminUser,
    GF_SECURITY_ADMIN_PASSWORD__FILE: `${GRAFANA_PATHS.secrets}/${SECRET_KEYS.adminPassword}`,
    GF_SECURITY_SECRET_KEY__FILE: `${GRAFANA_PATHS.secrets}/${SECRET_KEYS.secretKey}`,
    GF_SECURITY_COOKIE_SECURE: String(ingress !== undefined),
    GF_SECURITY_COOKIE_SAMESITE: "lax",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_LOG_MODE: "console",
  };
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

/**
 * Grafana on its own volume (a StatefulSet, so an update never waits on a volume the old pod
 * holds), provisioned datasources wired to each other, dashboards built in TypeScript, a
 * generated admin password that rotates with `grafana.credentialsRotation`, and a `secret_key`
 * that never rotates (it encrypts what Grafana stores).
 */
export class GrafanaStack extends pulumi.ComponentResource {
  public readonly url: pulumi.Output<string>;
  public readonly adminUser: pulumi.Output<string>;
  /** A Pulumi secret. */
  public readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: GrafanaStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:GrafanaStack", name, {}, opts);
    const { config } = args;
    const children = { parent: this };
    const namespace = config.namespaces.observability;
    const id = { name: GRAFANA.name, component: "dashboards", image: config.images.grafana };
    registerGrafanaScrapeJobs(args.scrapeJobs, config);

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false, keepers: { rotation: config.grafana.credentialsRotation } },
      children,
    );
    const secretKey = new random.RandomPassword(
      `${name}-secret-key`,
      { length: 48, special: false },
      children,
    );
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: objectMeta(id, namespace, "grafana-credentials"),
        stringData: {
          [SECRET_KEYS.adminPassword]: password.result,
          [SECRET_KEYS.secretKey]: secretKey.result,
        },
      },
      children,
    );

    const datasourcesYaml = escapeForProvisioning(toYaml(datasourceProvisioning(config)));
    const providerYaml = toYaml({
      apiVersion: 1,
      providers: [
        {
          name: "observability",
          orgId: 1,
          folder: config.grafana.dashboardsFolder,
          type: "file",
          disableDeletion: true,
          updateIntervalSeconds: 30,
          // UI edits are for experimenting on a laptop; in prod the code is the dashboard.
          allowUiUpdates: config.profile === "kind",
          options: { path: GRAFANA_PATHS.dashboards, foldersFromFilesStructure: false },
        },
      ],
    });
    const provisioning = new k8s.core.v1.ConfigMap(
      `${name}-provisioning`,
      {
        metadata: objectMeta(id, namespace, "grafana-provisioning"),
        data: { "datasources.yaml": datasourcesYaml, "dashboards.yaml": providerYaml },
      },
      children,
    );
    const dashboards = new k8s.core.v1.ConfigMap(
      `${name}-dashboards`,
      {
        metadata: objectMeta(id, namespace, "grafana-dashboards"),
        data: Object.fromEntries(
          allDashboards(config).map((d) => [`${d.uid}.json`, JSON.stringify(d, null, 2)]),
        ),
      },
      children,
    );

    const env = grafanaEnv(config);
    const mounts = [
      { name: "data", mountPath: GRAFANA_PATHS.data },
      { name: "credentials", mountPath: GRAFANA_PATHS.secrets, readOnly: true },
    ];
    // Grafana applies GF_SECURITY_ADMIN_PASSWORD only when it creates its database. On every later
    // start (a rotation restarts the pod) this sets the admin password to the mounted one.
    const applyPassword: InitContainerSpec = {
      name: "apply-admin-password",
      image: config.images.grafana,
      command: ["sh", "-c"],
      args: [
        `if [ -f "${GRAFANA_PATHS.data}/grafana.db" ]; then ` +
          "grafana cli --homepath /usr/share/grafana admin reset-admin-password --password-from-stdin " +
          `< "${GRAFANA_PATHS.secrets}/${SECRET_KEYS.adminPassword}"; fi`,
      ],
      env,
      resources: config.resources.grafana,
      volumeMounts: mounts,
      scratchPaths: ["/tmp"],
    };
    const spec = hardenedPodSpec({
      initContainers: [applyPassword],
      containers: [
        {
          name: "grafana",
          image: config.images.grafana,
          env,
          ports: [{ name: "http", containerPort: GRAFANA.port }],
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
          ],
          scratchPaths: ["/tmp"],
          livenessProbe: httpProbe("http", "/api/health", { initialDelaySeconds: 30, periodSeconds: 10 }),
          readinessProbe: httpProbe("http", "/api/health", { initialDelaySeconds: 10, periodSeconds: 5 }),
        },
      ],
      volumes: [
        { name: "credentials", secret: { secretName: credentials.metadata.name, defaultMode: 0o440 } },
        {
          name: "datasources",
          configMap: {
            name: provisioning.metadata.name,
            items: [{ key: "datasources.yaml", path: "datasources.yaml" }],
          },
        },
        {
          name: "dashboard-providers",
          configMap: {
            name: provisioning.metadata.name,
            items: [{ key: "dashboards.yaml", path: "dashboards.yaml" }],
          },
        },
        { name: "dashboards", configMap: { name: dashboards.metadata.name } },
      ],
    });
    // Datasources are read at start: a change rolls the pod. Dashboards reload every 30 s on their own.
    const template = podTemplate(
      id,
      spec,
      { datasources: datasourcesYaml, providers: providerYaml },
      { [ROTATION_ANNOTATION]: config.grafana.credentialsRotation },
    );
    new k8s.apps.v1.StatefulSet(
      `${name}-grafana`,
      volumeStatefulSetArgs({
        id,
        namespace,
        replicas: 1,
        serviceName: GRAFANA.name,
        template,
        storageClassName: config.storage.className,
        storageSize: config.grafana.storageSize,
      }),
      { ...children, ...dataProtection(config.profile), dependsOn: [credentials, provisioning, dashboards] },
    );

    const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
    const nodePort = config.exposure.mode === "nodePort";
    const service = new k8s.core.v1.Service(
      `${name}-grafana`,
      serviceArgs({
        id,
        namespace,
        ports: [
          {
            name: "http",
            port: GRAFANA.port,
            ...(nodePort ? { nodePort: config.exposure.nodePorts.grafana } : {}),
          },
        ],
      }),
      children,
    );
    if (ingress !== undefined) {
      new k8s.networking.v1.Ingress(
        `${name}-grafana`,
        {
          metadata: { ...objectMeta(id, namespace), annotations: { ...ingress.annotations } },
          spec: {
            ingressClassName: ingress.className,
            ...(ingress.tlsSecretName === undefined
              ? {}
              : { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }),
            rules: [
              {
                host: ingress.host,
                http: {
                  paths: [
                    {
                      path: "/",
                      pathType: "Prefix",
                      backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                    },
                  ],
                },
              },
            ],
          },
        },
        children,
      );
    }

    new k8s.networking.v1.NetworkPolicy(`${name}-grafana`, workloadPolicy(config, namespace, id), children);

    this.url = pulumi.output(
      ingress === undefined
        ? `http://localhost:${config.exposure.nodePorts.grafana}`
        : `https://${ingress.host}`,
    );
    this.adminUser = pulumi.output(config.grafana.adminUser);
    this.adminPassword = pulumi.secret(password.result);
    this.registerOutputs({ url: this.url, adminUser: this.adminUser, adminPassword: this.adminPassword });
  }
}
