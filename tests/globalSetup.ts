import { checkovExecutable, toolDirectory } from "./support/tools";

/**
 * Builds (or finds in the cache) the Go test tools once for all test files: the strict
 * Kubernetes decoder, Prometheus/promtool, Alertmanager/amtool and Loki's lokitool of the deployed
 * versions, and Checkov.
 */
export default function globalSetup(): void {
  process.env.KUBE_VALIDATE_DIR = toolDirectory("kube-validate");
  process.env.PROMETHEUS_DIR = toolDirectory("prometheus");
  process.env.ALERTMANAGER_DIR = toolDirectory("alertmanager");
  process.env.LOKITOOL_DIR = toolDirectory("lokitool");
  process.env.CHECKOV = checkovExecutable();
}
