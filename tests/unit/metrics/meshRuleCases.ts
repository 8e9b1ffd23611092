// `promtool test rules` cases of the alerts mesh.istio adds (components/metrics/meshRules.ts), over
// the series Prometheus keeps of Istio's sidecars and istiod (tests/kit/expositions/istio*.prom).
import { AlertCase } from "./alertCase";

const sidecar = 'up{job="istio-proxies",namespace="tiketi-spring",pod="ratings-v1-6b8f7c9d5-x2x7q"}';
const istiod = 'up{job="istiod",namespace="istio-system",pod="istiod-7d4f5b7c6-8kq2w"}';
const rejects = 'pilot_total_xds_rejects{job="istiod",pod="istiod-7d4f5b7c6-8kq2w",type="rds"}';
/** Another target's `up`, so that a missing job is the only thing the input lacks. */
const otherTarget = { 'up{job="kubernetes-pods",namespace="tiketi-spring"}': "1x30" };

export const MESH_ALERT_CASES: readonly AlertCase[] = [
  // Gone from discovery since minute 3: absent from minute 8 (5 minutes of lookback), firing from 23.
  {
    alert: "IstioSidecarsMissing",
    series: { ...otherTarget, [sidecar]: "1x2 _x27" },
    evalTime: "28m",
    fires: { job: "istio-proxies", severity: "warning" },
  },
  // Gone since minute 13: absent from 18, pending at 28.
  {
    alert: "IstioSidecarsMissing",
    series: { ...otherTarget, [sidecar]: "1x12 _x17" },
    evalTime: "28m",
  },
  {
    alert: "IstiodTargetMissing",
    series: { ...otherTarget, [istiod]: "1x2 _x27" },
    evalTime: "28m",
    fires: { job: "istiod", severity: "warning" },
  },
  {
    alert: "IstiodTargetMissing",
    series: { ...otherTarget, [istiod]: "1x12 _x17" },
    evalTime: "28m",
  },
  // Two pushes rejected in the last 10 minutes.
  {
    alert: "IstioConfigRejected",
    series: { [rejects]: "3x15 4 5x9" },
    evalTime: "25m",
    fires: { pod: "istiod-7d4f5b7c6-8kq2w", type: "rds", severity: "warning" },
  },
  // The last rejects are older than 10 minutes.
  {
    alert: "IstioConfigRejected",
    series: { [rejects]: "3x5 4 5x19" },
    evalTime: "25m",
  },
  // The counter appears with its first reject (istiod creates it then): a new series counts whole.
  {
    alert: "IstioConfigRejected",
    series: { [rejects]: "_x20 1x5" },
    evalTime: "25m",
    fires: { pod: "istiod-7d4f5b7c6-8kq2w", type: "rds", severity: "warning" },
  },
];
