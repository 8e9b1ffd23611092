import { DATA_SERVER_IMAGES, DataServerImage } from "./dataServers";
import { keyPath } from "./errors";
import { isDowngrade } from "./imageVersion";
import type { StackConfig } from "./stackConfig";

/** The stack output that records the data servers' images for the next update. */
export const DEPLOYED_IMAGES_OUTPUT = "deployedImages";

export function deployedImages(config: StackConfig): Record<DataServerImage, string> {
  return Object.fromEntries(DATA_SERVER_IMAGES.map((key) => [key, config.images[key]])) as Record<
    DataServerImage,
    string
  >;
}

/**
 * An update may not take a data server back to an older release of its image (a rollback, or a
 * pin set lower): the older release would read what the newer one wrote, which is data at risk
 * until that server's own docs say it can. `images.acceptDowngrade` lets one through, once read.
 * `previous` is the last deployment's record (none from releases before this one recorded it).
 */
export function imageDowngradeProblems(
  config: StackConfig,
  previous: Readonly<Partial<Record<DataServerImage, string>>> | undefined,
): string[] {
  return DATA_SERVER_IMAGES.flatMap((key) => {
    const [before, now] = [previous?.[key], config.images[key]];
    if (before === undefined || !isDowngrade(before, now) || config.images.acceptDowngrade.includes(key)) {
      return [];
    }
    return [
      `${keyPath(["images", key])} cannot go back from ${before} to ${now}: ${key} would read what the newer release wrote to its volume, ` +
        `which it may not understand. Restore a backup onto new claims instead, or, once ${key}'s release notes say ${now} reads it, ` +
        `add ${key} to ${keyPath(["images", "acceptDowngrade"])} for this update (docs/day-two.md#rolling-back)`,
    ];
  });
}
