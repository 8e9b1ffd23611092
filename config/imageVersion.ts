/**
 * The version an image reference's tag names, for telling an upgrade from a downgrade of one
 * image: `quay.io/prometheus/prometheus:v3.5.0` is prometheus 3.5.0. A tag that is no dotted
 * version (`latest`, a digest only) has none.
 */
export interface ImageVersion {
  /** The image's name: the last part of its path, the same through any mirror. */
  readonly name: string;
  readonly version: readonly number[];
  readonly tag: string;
}

export function imageVersion(reference: string): ImageVersion | undefined {
  const withoutDigest = reference.split("@")[0];
  const colon = withoutDigest.lastIndexOf(":");
  if (colon <= withoutDigest.lastIndexOf("/")) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  const match = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  if (match === null) return undefined;
  const name = withoutDigest.slice(0, colon).split("/").at(-1) ?? "";
  return { name, tag, version: match[1].split(".").map(Number) };
}

/** Whether `to` is an older release of the image `from` names (the same image, a lower version). */
export function isDowngrade(from: string, to: string): boolean {
  const [a, b] = [imageVersion(from), imageVersion(to)];
  if (a === undefined || b === undefined || a.name !== b.name) return false;
  for (let i = 0; i < Math.max(a.version.length, b.version.length); i++) {
    const [x, y] = [a.version[i] ?? 0, b.version[i] ?? 0];
    if (x !== y) return y < x;
  }
  return false;
}
