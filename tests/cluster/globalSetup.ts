import { toolDirectory } from "../../checks/goTools";

/**
 * Builds (or finds in the cache) the control plane the cluster tests start: kube-apiserver,
 * kube-controller-manager and kube-scheduler from k8s.io/kubernetes, etcd, and kwok.
 */
export default function globalSetup(): void {
  process.env.KUBERNETES_DIR = toolDirectory("kubernetes");
  process.env.ETCD_DIR = toolDirectory("etcd");
  process.env.KWOK_DIR = toolDirectory("kwok");
}
