import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packPackage } from "../kit/consumerProgram";
import { setUpTierTools, toolDirectory } from "../kit/tools";
import { shareTierPackage } from "./packedPackage";

/**
 * Builds the tier's tools (the strict Kubernetes decoder; the Pulumi CLI and pkg/v3's code
 * generators, with which sdks.test.ts generates the SDKs again) and packs the package once for every
 * test file. promtool, which the package's testing module runs where there is one, is handed on when
 * a tier before this one built it, as a program's own CI would have it or not.
 */
export default function globalSetup(): void {
  setUpTierTools("examples");
  const build = path.resolve(__dirname, "../../scripts/tools/build.sh");
  if (spawnSync("bash", [build, "prometheus", "--cached"]).status === 0) {
    process.env.PROMETHEUS_DIR = toolDirectory("prometheus");
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "observability-examples-"));
  shareTierPackage({ ...packPackage(scratch), scratch });
}
