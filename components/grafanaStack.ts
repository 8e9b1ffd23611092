import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../config";
import { objectMeta } from "./common/metadata";
import { serviceArgs } from "./common/service";
import { workloadPolicy } from "./wiring/policies";
import { toYaml } from "./common/yaml";
import { datasourceProvisioning, escapeForProvisioning } from "./grafana/datasources";
import { allDashboards } from "./grafana/dashboards";
import { GRAFANA, GRAFANA_PATHS } from "./grafana/names";
import { SECRET_KEYS, deployGrafanaWorkload } from "./grafana/grafanaWorkload";
import { ScrapeRegistry, serviceScrapeJob } from "./metrics/scrapeRegistry";

export interface GrafanaStackArgs {
  readonly config: StackConfig;
  /** Grafana's own metrics are registered here for Prometheus. */
  readonly scrapeJobs: ScrapeRegistry;
}

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

/**
 * Grafana (see `deployGrafanaWorkload` for its pods, on a volume or over a shared database),
 * provisioned datasources wired to each other, dashboards built in TypeScript, a
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
    const database = config.grafana.database;
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
          ...(database === undefined ? {} : { [SECRET_KEYS.databasePassword]: database.password }),
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

    deployGrafanaWorkload(
      name,
      config,
      id,
      { credentials, provisioning, dashboards, datasourcesYaml, providerYaml },
      children,
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
