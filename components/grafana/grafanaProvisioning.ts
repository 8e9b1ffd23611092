import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { toYaml } from "../common/yaml";
import { allDashboards } from "./dashboards";
import { datasourceProvisioning, escapeForProvisioning } from "./datasources";
import { GRAFANA_PATHS } from "./names";
import { GrafanaBackends, GrafanaSettings } from "./settings";

/** Grafana's file provider: every dashboard of the program, in the configured folder. */
function dashboardProviders(config: GrafanaSettings) {
  return {
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
  };
}

/**
 * The ConfigMaps Grafana provisions from: datasources and the dashboard provider in one, the
 * dashboards' JSON in another. Returns them with the provisioning files' text, which the pod
 * template hashes (Grafana reads both only at start).
 */
export function deployGrafanaProvisioning(
  name: string,
  config: GrafanaSettings,
  backends: GrafanaBackends,
  id: WorkloadIdentity,
  opts: pulumi.CustomResourceOptions,
) {
  const namespace = config.namespaces.observability;
  const datasourcesYaml = escapeForProvisioning(toYaml(datasourceProvisioning(config, backends)));
  const providerYaml = toYaml(dashboardProviders(config));
  const provisioning = new k8s.core.v1.ConfigMap(
    `${name}-provisioning`,
    {
      metadata: objectMeta(id, namespace, "grafana-provisioning"),
      data: { "datasources.yaml": datasourcesYaml, "dashboards.yaml": providerYaml },
    },
    opts,
  );
  const dashboards = new k8s.core.v1.ConfigMap(
    `${name}-dashboards`,
    {
      metadata: objectMeta(id, namespace, "grafana-dashboards"),
      data: Object.fromEntries(
        allDashboards(config).map((d) => [`${d.uid}.json`, JSON.stringify(d, null, 2)]),
      ),
    },
    opts,
  );
  return { provisioning, dashboards, datasourcesYaml, providerYaml };
}
