import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shareCommittedStacks } from "./renderedStacks";
import { shareExtendedStacks } from "./support/extendedStack";
import { shareMeshStacks } from "./support/meshStack";
import { SHARED_RENDERS_VARIABLE } from "./support/sharedRenders";
import { checkovExecutable, setUpTierTools } from "../testkit/tools";
import { STACKS } from "../testkit/stacks";

/**
 * Builds (or finds in the cache) the tools once for all test files: the unit tier's Go tools
 * (testkit/tierTools.json: the strict Kubernetes decoder, Prometheus/promtool, Alertmanager/amtool
 * and Loki's lokitool of the deployed versions) and Checkov. Renders the stacks most files read
 * once, for every file and worker.
 */
export default async function globalSetup(): Promise<void> {
  setUpTierTools("unit");
  process.env.CHECKOV = checkovExecutable();
  const renders = fs.mkdtempSync(path.join(os.tmpdir(), "observability-renders-"));
  await shareCommittedStacks(renders);
  await shareExtendedStacks(renders);
  await shareMeshStacks(renders, STACKS);
  process.env[SHARED_RENDERS_VARIABLE] = renders;
}
