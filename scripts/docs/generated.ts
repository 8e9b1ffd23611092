// The generated pages under docs/: what they contain, built in memory so that `npm run docs`
// writes them and a unit test can tell when the committed copies are stale.
import { instance } from "@viz-js/viz";
import * as path from "path";
import { parsePulumiConfig } from "../../config/load";
import { stackConfigSchema } from "../../config/schema";
import { wiringGraph } from "../../components/wiring/graph";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { configReference } from "./configReference";
import { wiringDot } from "./wiringDiagram";

/** The stack the architecture picture is drawn for: production, with both collector tiers. */
const DIAGRAM_STACK = "prod";

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export async function generatedDocs(): Promise<GeneratedFile[]> {
  const { config, secretKeys } = readStackFile(DIAGRAM_STACK, PROJECT_ROOT);
  const dot = wiringDot(
    wiringGraph(parsePulumiConfig(config, secretKeys)),
    `Who talks to whom: stack ${DIAGRAM_STACK} (Pulumi.${DIAGRAM_STACK}.yaml)`,
  );
  const viz = await instance();
  return [
    {
      path: path.join(PROJECT_ROOT, "docs", "configuration.md"),
      content: configReference(stackConfigSchema),
    },
    {
      path: path.join(PROJECT_ROOT, "docs", "architecture.svg"),
      content: viz.renderString(dot, { format: "svg" }),
    },
  ];
}
