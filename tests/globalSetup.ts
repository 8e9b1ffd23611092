import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shareRenders } from "./renderedStacks";
import { checkovExecutable, toolDirectory } from "./support/tools";

/**
 * Builds (or finds in the cache) the tools once for all test files: the strict Kubernetes decoder,
 * Prometheus/promtool, Alertmanager/amtool and Loki's lokitool of the deployed versions, and
 * Checkov. Renders each committed stack once for every file and worker to read.
 */
export default async function globalSetup(): Promise<void> {
  process.env.KUBE_VALIDATE_DIR = toolDirectory("kube-validate");
  process.env.PROMETHEUS_DIR = toolDirectory("prometheus");
  process.env.ALERTMANAGER_DIR = toolDirectory("alertmanager");
  process.env.LOKITOOL_DIR = toolDirectory("lokitool");
  process.env.CHECKOV = checkovExecutable();
  await shareRenders(fs.mkdtempSync(path.join(os.tmpdir(), "observability-renders-")));
}
