// The releases whose stack files tests/support/upgrades/<release>/ keeps, and what each release's program
// rendered from them, recorded as digests (render/upgradeDigest.ts) in
// tests/support/upgrades/<release>/renders/<program release>.<stack>.json by `npm run record-upgrade`.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { ConfigError } from "../config";
import { PROJECT, PROJECT_ROOT } from "./renderStack";
import { urnsByKey } from "./urns";
import { KubeObject, toManifest } from "./manifest";
import { RenderedStack } from "./renderStack";
import { RenderDigest, renderDigest } from "./upgradeDigest";

export const UPGRADES_DIR = path.join(PROJECT_ROOT, "tests", "support", "upgrades");

/** A program's render of one release's stack file: its objects' digests, or the config errors it refused with. */
export interface RecordedRender {
  /** The release whose program rendered it. */
  readonly program: string;
  /** The commit that program was recorded from, when it was recorded after its release. */
  readonly commit?: string;
  readonly objects?: RenderDigest;
  readonly refused?: readonly string[];
  /**
   * Each resource's URN by its key (render/urns.ts), for a release's program on its own stack
   * files (`npm run record-release-urns`): what its stacks' state holds.
   */
  readonly urns?: Readonly<Record<string, string>>;
}

const order = (release: string) => release.split(".").map(Number);

/** The releases kept, oldest first. */
export function keptReleases(): string[] {
  return fs
    .readdirSync(UPGRADES_DIR)
    .filter((entry) => /^[0-9]+\.[0-9]+\.[0-9]+$/.test(entry))
    .sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
}

export const recordFile = (release: string, program: string, stack: string): string =>
  path.join(UPGRADES_DIR, release, "renders", `${program}.${stack}.json`);

export function recordedRender(release: string, program: string, stack: string): RecordedRender | undefined {
  const file = recordFile(release, program, stack);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as RecordedRender) : undefined;
}

/** The digests of a render as `npm run render` prints it (secrets redacted, YAML-typed). */
export const manifestDigest = (manifest: string): RenderDigest =>
  renderDigest(yaml.loadAll(manifest) as KubeObject[]);

/**
 * This program's render of a release's stack file, as a record: its digests and its resources'
 * URNs in `stack`, or what it refused.
 */
export async function recordRender(
  program: string,
  stack: string,
  render: () => Promise<RenderedStack>,
): Promise<RecordedRender> {
  try {
    const { objects, patches, registrations } = await render();
    return {
      program,
      objects: manifestDigest(toManifest([...objects, ...patches])),
      urns: urnsByKey(registrations, { stack, project: PROJECT }),
    };
  } catch (error) {
    if (error instanceof ConfigError) return { program, refused: [...error.problems] };
    throw error;
  }
}
