import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packPackage } from "../../testkit/consumerProgram";
import { setUpTierTools } from "../../testkit/tools";
import { shareTierPackage } from "./packedPackage";

/** Builds the tier's tools (the strict Kubernetes decoder) and packs the package once for every test file. */
export default function globalSetup(): void {
  setUpTierTools("examples");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "observability-examples-"));
  shareTierPackage({ ...packPackage(scratch), scratch });
}
