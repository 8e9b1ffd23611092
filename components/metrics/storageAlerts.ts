import { alertFactory } from "../common/alertFactory";
import { OPTED_OUT_CLAIMS } from "./platformSeries";
import { RuleGroup } from "../common/prometheusTypes";
import { dashboardLink, withDashboard } from "./useDashboards";

/**
 * Claims that can fill up and should not: not mounted read-only by design (they never fill up
 * through their pods), not labelled out of the alerts (meant to stay full, such as a cache).
 */
const WATCHED =
  'unless on (namespace, persistentvolumeclaim) max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"}) == 1' +
  ` unless on (namespace, persistentvolumeclaim) ${OPTED_OUT_CLAIMS}`;

const claim = (family: string) =>
  `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_${family})`;

/**
 * Volume claims running out of space or inodes, now or within four days at the last six hours'
 * rate (the kubelet's volume stats), unless labelled out, and PersistentVolumes the cluster failed
 * to bind or reclaim.
 */
export function storageAlertRules(runbookBaseUrl: string, grafanaUrl: string | undefined): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  const volume = dashboardLink(grafanaUrl, "volumes");
  const filling = (free: string, total: string, used: string) => ({
    now: `${claim(free)} / ${claim(total)} < 0.03 and ${claim(used)} > 0 ${WATCHED}`,
    predicted:
      `${claim(free)} / ${claim(total)} < 0.15 and ${claim(used)} > 0` +
      ` and max by (namespace, persistentvolumeclaim) (predict_linear(kubelet_volume_stats_${free}[6h], 4 * 24 * 3600)) < 0 ${WATCHED}`,
  });
  const bytes = filling("available_bytes", "capacity_bytes", "used_bytes");
  const inodes = filling("inodes_free", "inodes", "inodes_used");
  return {
    name: "platform-storage",
    rules: [
      withDashboard(
        alert(
          "VolumeAlmostFull",
          "critical",
          bytes.now,
          "1m",
          "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full",
          "Only {{ $value | humanizePercentage }} of the volume is free; writes will fail when it is full.",
        ),
        volume,
      ),
      withDashboard(
        alert(
          "VolumeFillingUp",
          "warning",
          bytes.predicted,
          "1h",
          "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within four days",
          "{{ $value | humanizePercentage }} of the volume is free and, at the last six hours' rate, it fills up within four days.",
        ),
        volume,
      ),
      withDashboard(
        alert(
          "VolumeInodesAlmostExhausted",
          "critical",
          inodes.now,
          "1m",
          "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost out of inodes",
          "Only {{ $value | humanizePercentage }} of the volume's inodes are free; creating files will fail even with space left.",
        ),
        volume,
      ),
      withDashboard(
        alert(
          "VolumeInodesFillingUp",
          "warning",
          inodes.predicted,
          "1h",
          "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will run out of inodes within four days",
          "{{ $value | humanizePercentage }} of the volume's inodes are free and, at the last six hours' rate, they run out within four days.",
        ),
        volume,
      ),
      withDashboard(
        alert(
          "PersistentVolumeFailed",
          "critical",
          'max by (persistentvolume, phase) (kube_persistentvolume_status_phase{phase=~"Failed|Pending"}) == 1',
          "5m",
          "PersistentVolume {{ $labels.persistentvolume }} is {{ $labels.phase }}",
          "The volume has been {{ $labels.phase }} for 5 minutes: its provisioner or reclaim failed (`kubectl describe pv {{ $labels.persistentvolume }}`).",
        ),
        dashboardLink(grafanaUrl, "cluster"),
      ),
    ],
  };
}
