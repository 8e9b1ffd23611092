import { DATASOURCE_UIDS } from "../../common/grafanaUids";
import { DashboardSettings } from "../settings";
import { Dashboard, dashboard } from "../dashboard/model";
import { withClusterPicker } from "../dashboard/clusterPicker";
import { DashboardDefinition, DashboardIdentity } from "./definition";
import { alerts } from "./alerts";
import { infrastructure } from "./infrastructure";
import { istioMesh } from "./istioMesh";
import { jvmSpring } from "./jvmSpring";
import { kubernetesCluster } from "./kubernetesCluster";
import { kubernetesNamespace } from "./kubernetesNamespace";
import { kubernetesNode } from "./kubernetesNode";
import { kubernetesPod } from "./kubernetesPod";
import { kubernetesVolumes } from "./kubernetesVolumes";
import { kubernetesWorkload } from "./kubernetesWorkload";
import { landing } from "./landing";
import { logs } from "./logs";
import { nodejsRuntime } from "./nodejsRuntime";
import { serviceDetail } from "./serviceDetail";
import { serviceOverview } from "./serviceOverview";
import { slos } from "./slos";
import { stackHealth } from "./stackHealth";
import { tracing } from "./tracing";

/** Every dashboard behind the landing page, in the order it links them. */
export const LINKED_DASHBOARDS: readonly DashboardDefinition[] = [
  serviceOverview,
  serviceDetail,
  slos,
  jvmSpring,
  nodejsRuntime,
  kubernetesCluster,
  kubernetesNamespace,
  kubernetesWorkload,
  kubernetesPod,
  kubernetesNode,
  kubernetesVolumes,
  logs,
  tracing,
  alerts,
  stackHealth,
];

/** Addresses kept for bookmarks: each page says where its panels went. Landing does not link them. */
export const MOVED_DASHBOARDS: readonly DashboardDefinition[] = [infrastructure];

/** The dashboards of `mesh.istio`, linked after the others when it is on. */
export const MESH_DASHBOARDS: readonly DashboardDefinition[] = [istioMesh];

/** The dashboards Landing links with this config. */
const linkedDashboards = (config: DashboardSettings): readonly DashboardDefinition[] =>
  config.mesh.istio.enabled ? [...LINKED_DASHBOARDS, ...MESH_DASHBOARDS] : LINKED_DASHBOARDS;

/**
 * Every provisioned dashboard, built from the stack config: the landing page first. Over several
 * clusters' series (`config.clusters`), each that reads Prometheus picks one cluster.
 */
export function allDashboards(config: DashboardSettings): Dashboard[] {
  const linked = linkedDashboards(config);
  return [landing(linked), ...linked, ...MOVED_DASHBOARDS].map((d) => {
    const content = d.content(config);
    return dashboard({
      uid: d.uid,
      title: d.title,
      ...(config.clusters === undefined ? content : withClusterPicker(content, config.clusters)),
    });
  });
}

/** The uid and title of every dashboard the stack may provision, whatever its config. */
export const STACK_DASHBOARDS: readonly DashboardIdentity[] = [
  landing([]),
  ...LINKED_DASHBOARDS,
  ...MOVED_DASHBOARDS,
  ...MESH_DASHBOARDS,
].map(({ uid, title }) => ({ uid, title }));

/** The datasource UIDs a dashboard's panels and variables query. */
function datasourcesOf(node: unknown): string[] {
  if (Array.isArray(node)) {
    return node.flatMap(datasourcesOf);
  }
  if (node === null || typeof node !== "object") {
    return [];
  }
  const { datasource, ...rest } = node as Record<string, unknown>;
  const uid = (datasource as { uid?: unknown } | undefined)?.uid;
  return [...(typeof uid === "string" ? [uid] : []), ...Object.values(rest).flatMap(datasourcesOf)];
}

/**
 * The dashboards Grafana gets with `datasources`: those whose every query has its datasource, as a
 * dashboard without its Prometheus or Loki would show only errors; none without Prometheus, which
 * every dashboard reads or (the moved pages) links to.
 */
export function provisionedDashboards(
  config: DashboardSettings,
  datasources: readonly { readonly uid: string }[],
): Dashboard[] {
  const present = new Set(datasources.map((d) => d.uid));
  return present.has(DATASOURCE_UIDS.prometheus)
    ? allDashboards(config).filter((d) => datasourcesOf(d).every((uid) => present.has(uid)))
    : [];
}
