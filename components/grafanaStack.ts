import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { objectMeta } from "./common/metadata";
import { ExtraDashboardFolder } from "./grafana/extraDashboards";
import { deployGrafanaAccess } from "./grafana/grafanaAccess";
import { deployGrafanaExposure } from "./grafana/grafanaExposure";
import { deployGrafanaProvisioning } from "./grafana/grafanaProvisioning";
import { SECRET_KEYS, deployGrafanaWorkload } from "./grafana/grafanaWorkload";
import { GRAFANA } from "./grafana/names";
import { GrafanaBackends, GrafanaSettings } from "./grafana/settings";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./metrics/scrapeJobs";
import { withFormerType } from "./common/formerType";
import { grafanaPublicUrl } from "./grafana/publicUrl";

/**
 * What Grafana takes: its sections of the validated stack config (see GrafanaSettings for each, with
 * its default), the other components' URLs and the teams' dashboards. index.ts maps them.
 */
export interface GrafanaStackArgs extends GrafanaSettings {
  /** The other components' URLs, Loki tenant and trace-ID expression, for the datasources. */
  readonly backends: GrafanaBackends;
  /**
   * `grafana.extraDashboards`, read from the repository and checked with the config (`readExtraDashboards`).
   * @default none
   */
  readonly extraDashboards?: readonly ExtraDashboardFolder[];
}

/**
 * Grafana (see `deployGrafanaWorkload` for its pods, on a volume or over a shared database),
 * provisioned datasources wired to each other, dashboards built in TypeScript and the team's own
 * from `grafana.extraDashboards`, single sign-on from `grafana.sso`, teams and folder permissions
 * through Grafana's API (`deployGrafanaAccess`), a generated admin password that rotates with
 * `grafana.credentialsRotation`, and a `secret_key` that never rotates (it encrypts what Grafana
 * stores).
 */
export class GrafanaStack extends pulumi.ComponentResource {
  public readonly url: string;
  /** With `grafana.sso`: the redirect URI to register with the identity provider. */
  public readonly oauthRedirectUrl?: string;
  public readonly adminUser: string;
  /** A Pulumi secret. */
  public readonly adminPassword: pulumi.Output<string>;

  /** Grafana's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<GrafanaSettings, "namespaces">): ScrapeConfig[] {
    return [workloadScrapeJob(GRAFANA, settings.namespaces.observability)];
  }

  constructor(name: string, args: GrafanaStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:GrafanaStack", name, {}, withFormerType("observability:index:Grafana", opts));
    const children = { parent: this };
    const namespace = args.namespaces.observability;
    const id = { name: GRAFANA.name, component: "dashboards", image: args.images.grafana };
    const database = args.grafana.database;
    const sso = args.grafana.sso;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false, keepers: { rotation: args.grafana.credentialsRotation } },
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
          ...(sso === undefined ? {} : { [SECRET_KEYS.ssoClientSecret]: sso.clientSecret }),
        },
      },
      children,
    );

    const provisioning = deployGrafanaProvisioning(
      name,
      args,
      args.backends,
      args.extraDashboards ?? [],
      id,
      children,
    );
    const workload = deployGrafanaWorkload(name, args, id, { credentials, ...provisioning }, children);
    const exposure = deployGrafanaExposure(name, args, id, workload.services[0], children);
    this.url = grafanaPublicUrl(args.exposure);
    if (sso !== undefined) {
      this.oauthRedirectUrl = `${this.url}/login/${sso.provider}`;
    }
    deployGrafanaAccess(
      name,
      args,
      {
        adminUser: args.grafana.adminUser,
        adminPassword: password.result,
        ready: [workload.controller, exposure],
      },
      children,
    );

    this.adminUser = args.grafana.adminUser;
    this.adminPassword = pulumi.secret(password.result);
    this.registerOutputs({
      url: this.url,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
      oauthRedirectUrl: this.oauthRedirectUrl,
    });
  }
}
