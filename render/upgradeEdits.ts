// What a team does to a kept release's stack file before this program deploys it: the edits that
// release's upgrade note (docs/day-two.md) asks for, each only where the file needs it. The upgrade
// note's list of changes is rendered from the edited files, and tests/cluster/upgrades.test.ts
// deploys them with the engine after the release's program deployed the files as they were.
import * as path from "path";
import { criticalAlertDestinations } from "../config/alerting/criticalAlerts";
import { RenderedStack, renderWithConfig } from "./renderStack";
import { SECRET_PLACEHOLDER, StackFileConfig, readStackFile } from "./stackFile";
import { UPGRADES_DIR } from "./upgradeRecords";

interface UpgradeEdit {
  /** The newest release whose stack files may need it: its note, and those of every release before, ask for it. */
  readonly release: string;
  /** The edited file, or undefined where the file does not need the edit. */
  readonly edit: (file: StackFileConfig) => StackFileConfig | undefined;
}

const ALERTING = "observability:alerting";

const section = (file: StackFileConfig, key: string): Record<string, unknown> =>
  JSON.parse(file.config[key] ?? "{}") as Record<string, unknown>;

export const UPGRADE_EDITS: readonly UpgradeEdit[] = [
  {
    // A production stack must deliver its critical alerts: the team names its Slack channel (its
    // webhook set with `pulumi config set --secret`).
    release: "0.4.0",
    edit: (file) => {
      const alerting = section(file, ALERTING);
      const delivered = criticalAlertDestinations({
        routes: [],
        receivers: [],
        ...alerting,
      } as Parameters<typeof criticalAlertDestinations>[0]);
      if (file.config["observability:profile"] !== "eks" || delivered.length > 0) {
        return undefined;
      }
      return {
        config: {
          ...file.config,
          [ALERTING]: JSON.stringify({
            ...alerting,
            slack: { webhookUrl: SECRET_PLACEHOLDER, channel: "#alerts" },
          }),
        },
        secretKeys: [...new Set([...file.secretKeys, ALERTING])],
      };
    },
  },
];

const version = (release: string) => release.split(".").map(Number);
const notAfter = (a: string, b: string) => {
  const [x, y] = [version(a), version(b)];
  return (x[0] - y[0] || x[1] - y[1] || x[2] - y[2]) <= 0;
};

/**
 * A kept release's stack file with the edits the upgrade notes from it to this program ask for
 * before this program deploys it.
 */
export function upgradedStackFile(stack: string, release: string): StackFileConfig {
  return UPGRADE_EDITS.filter((e) => notAfter(release, e.release)).reduce(
    (file, e) => e.edit(file) ?? file,
    readStackFile(stack, path.join(UPGRADES_DIR, release)),
  );
}

/** This program's render of a kept release's stack file, edited as its upgrade note asks. */
export function renderUpgraded(stack: string, release: string): Promise<RenderedStack> {
  const { config, secretKeys } = upgradedStackFile(stack, release);
  return renderWithConfig(stack, config, secretKeys);
}
