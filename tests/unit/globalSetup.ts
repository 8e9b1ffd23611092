import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shareCommittedStacks } from "../support/renderedStacks";
import { shareExtendedStacks } from "../support/extendedStack";
import { shareMeshStacks } from "../support/meshStack";
import { SHARED_RENDERS_VARIABLE } from "../support/sharedRenders";
import { batchToolEnvironment, checkovExecutable, setUpTierTools } from "../kit/tools";
import { STACKS } from "../kit/stacks";

/** The part of jest's project config read here: the scenarios tier names itself. */
interface ProjectConfig {
  displayName?: { name: string };
}

/**
 * Builds (or finds in the cache) the tools once for all test files of the unit tier or of the
 * scenarios tier (the projects of jest.config.js): the tier's Go tools (tests/kit/tierTools.json: the strict
 * Kubernetes decoder, Prometheus/promtool and Alertmanager/amtool of the deployed versions), and Checkov for the unit tier. Renders the stacks most files read
 * once, for every file and worker.
 */
export default async function globalSetup(_global: unknown, project: ProjectConfig): Promise<void> {
  const tier = project.displayName?.name === "scenarios" ? "scenarios" : "unit";
  setUpTierTools(tier);
  // The Go tools these tiers run are commands that run once and exit (promtool, amtool, the strict
  // decoder), and one Prometheus that parses the dashboards' queries: no test reads their memory.
  // The workers inherit the setting.
  process.env.GOGC = batchToolEnvironment().GOGC;
  if (tier === "unit") process.env.CHECKOV = checkovExecutable();
  const renders = fs.mkdtempSync(path.join(os.tmpdir(), "observability-renders-"));
  await shareCommittedStacks(renders);
  await shareExtendedStacks(renders);
  await shareMeshStacks(renders, STACKS);
  process.env[SHARED_RENDERS_VARIABLE] = renders;
}
