import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { toYaml, toYamlInput } from "../common/yaml";
import { provisionedDashboards } from "./dashboards";
import { datasourceProvisioning, escapeForProvisioning, provisionedDatasources } from "./datasources";
import { ExtraDashboardFolder } from "./extraDashboards";
import { GRAFANA_CONFIG, GRAFANA_PATHS, extraDashboardsConfigMap, extraDashboardsPath } from "./names";
import { GrafanaBackends, GrafanaSettings } from "./settings";

/** How often Grafana re-reads each provisioned folder of dashboard files. */
export const DASHBOARD_RELOAD_SECONDS = 30;
/**
 * Grafana's file providers: every dashboard of the program, in the configured folder, and each
 * `grafana.extraDashboards` folder in its own, under a fixed UID that permissions name. The
 * stack's folder keeps the UID Grafana gave it, so running stacks' folders are left as they are.
 */
function dashboardProviders(config: GrafanaSettings, extra: readonly ExtraDashboardFolder[]) {
  const provider = (name: string, folder: string, path: string, folderUid?: string) => ({
    name,
    orgId: 1,
    folder,
    ...(folderUid === undefined ? {} : { folderUid }),
    type: "file",
    disableDeletion: true,
    updateIntervalSeconds: DASHBOARD_RELOAD_SECONDS,
    // UI edits are for experimenting on a laptop; in prod the code is the dashboard.
    allowUiUpdates: config.profile === "kind",
    options: { path, foldersFromFilesStructure: false },
  });
  return {
    apiVersion: 1,
    providers: [
      provider("observability", config.grafana.dashboardsFolder, GRAFANA_PATHS.dashboards),
      ...extra.map((f) => provider(f.folderUid, f.folder, extraDashboardsPath(f.slug), f.folderUid)),
    ],
  };
}

/**
 * The ConfigMaps Grafana provisions from: datasources and the dashboard providers in one, the
 * dashboards' JSON in another, and one per extra dashboards folder (read and checked with the
 * config, `readExtraDashboards`). Returns them with the provisioning files' text, which the pod
 * template hashes (Grafana reads both only at start).
 */
export function deployGrafanaProvisioning(
  name: string,
  config: GrafanaSettings,
  backends: GrafanaBackends,
  extra: readonly ExtraDashboardFolder[],
  id: WorkloadIdentity,
  opts: pulumi.CustomResourceOptions,
) {
  const namespace = config.namespaces.observability;
  const datasources = toYamlInput(datasourceProvisioning(config, backends));
  const datasourcesYaml =
    typeof datasources === "string"
      ? escapeForProvisioning(datasources)
      : pulumi.output(datasources).apply(escapeForProvisioning);
  const providerYaml = toYaml(dashboardProviders(config, extra));
  const provisioning = new k8s.core.v1.ConfigMap(
    `${name}-provisioning`,
    {
      metadata: objectMeta(id, namespace, GRAFANA_CONFIG.provisioning),
      data: { "datasources.yaml": datasourcesYaml, "dashboards.yaml": providerYaml },
    },
    opts,
  );
  const dashboards = new k8s.core.v1.ConfigMap(
    `${name}-dashboards`,
    {
      metadata: objectMeta(id, namespace, GRAFANA_CONFIG.dashboards),
      data: Object.fromEntries(
        provisionedDashboards(config, provisionedDatasources(config, backends)).map((d) => [
          `${d.uid}.json`,
          JSON.stringify(d, null, 2),
        ]),
      ),
    },
    opts,
  );
  const extraDashboards = extra.map((folder) => ({
    folder,
    configMap: new k8s.core.v1.ConfigMap(
      `${name}-dashboards-${folder.slug}`,
      {
        metadata: objectMeta(id, namespace, extraDashboardsConfigMap(folder.slug)),
        data: { ...folder.files },
      },
      opts,
    ),
  }));
  return { provisioning, dashboards, extraDashboards, datasourcesYaml, providerYaml };
}
