import { prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { KUBERNETES_DASHBOARDS, NAMESPACE_VARIABLE } from "./kubernetesSeries";

const CLAIM = 'namespace=~"$namespace", persistentvolumeclaim=~"$persistentvolumeclaim"';
const PREDICT_WINDOW = "6h";
/** 4 days ahead, as the platform's predicted-full alerts look. */
const PREDICT_AHEAD = 4 * 24 * 3600;

/** PersistentVolumeClaims: space and inodes now and predicted, from the kubelet; phases from kube-state-metrics. */
export const kubernetesVolumes = defineDashboard(KUBERNETES_DASHBOARDS.volumes, () => ({
  description:
    "Each claim's space and inodes used, now and predicted four days ahead (kubelet volume stats, for volume plugins that report them: CSI such as EBS, local volumes), its health, and the phase of claims and volumes.",
  tags: ["observability", "kubernetes"],
  variables: [
    { ...NAMESPACE_VARIABLE, query: "label_values(kube_persistentvolumeclaim_info, namespace)" },
    {
      name: "persistentvolumeclaim",
      label: "Claim",
      query: 'label_values(kube_persistentvolumeclaim_info{namespace=~"$namespace"}, persistentvolumeclaim)',
    },
  ],
  links: [KUBERNETES_DASHBOARDS.cluster, KUBERNETES_DASHBOARDS.namespace],
  panels: [
    timeSeries({
      title: "Space used, now and predicted",
      description: `The prediction extrapolates the last ${PREDICT_WINDOW} four days ahead.`,
      queries: [
        prom(
          `kubelet_volume_stats_used_bytes{${CLAIM}} / kubelet_volume_stats_capacity_bytes{${CLAIM}}`,
          "{{persistentvolumeclaim}}",
        ),
        prom(
          `1 - clamp_min(predict_linear(kubelet_volume_stats_available_bytes{${CLAIM}}[${PREDICT_WINDOW}], ${PREDICT_AHEAD}), 0) / kubelet_volume_stats_capacity_bytes{${CLAIM}}`,
          "{{persistentvolumeclaim}} in 4 days",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Inodes used, now and predicted",
      queries: [
        prom(
          `kubelet_volume_stats_inodes_used{${CLAIM}} / kubelet_volume_stats_inodes{${CLAIM}}`,
          "{{persistentvolumeclaim}}",
        ),
        prom(
          `1 - clamp_min(predict_linear(kubelet_volume_stats_inodes_free{${CLAIM}}[${PREDICT_WINDOW}], ${PREDICT_AHEAD}), 0) / kubelet_volume_stats_inodes{${CLAIM}}`,
          "{{persistentvolumeclaim}} in 4 days",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Space available",
      queries: [prom(`kubelet_volume_stats_available_bytes{${CLAIM}}`, "{{persistentvolumeclaim}}")],
      unit: "bytes",
    }),
    table({
      title: "Claims",
      description:
        "Capacity requested, phase (1 for the current one) and health (1 while the volume plugin reports it abnormal).",
      queries: [
        prom(
          `kube_persistentvolumeclaim_resource_requests_storage_bytes{${CLAIM}}`,
          "{{persistentvolumeclaim}} requested",
        ),
        prom(`kube_persistentvolumeclaim_status_phase{${CLAIM}} == 1`, "{{persistentvolumeclaim}} {{phase}}"),
        prom(`kubelet_volume_stats_health_status_abnormal{${CLAIM}}`, "{{persistentvolumeclaim}} abnormal"),
      ],
    }),
    table({
      title: "Volumes",
      description:
        "The PersistentVolume bound to each claim and its phase (Failed or Pending ones need attention).",
      queries: [
        prom(
          `(kube_persistentvolume_status_phase == 1) * on (persistentvolume) group_left (claim_namespace, name) kube_persistentvolume_claim_ref{claim_namespace=~"$namespace", name=~"$persistentvolumeclaim"}`,
          "{{persistentvolume}} {{phase}}",
        ),
      ],
    }),
  ],
}));
