import type * as k8s from "@pulumi/kubernetes";
import { PlacedWorkloadName, REGISTRY_CREDENTIALS_SECRET, StackConfig } from "../../config";
import { PlatformSettings } from "./settings";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Toleration = k8s.types.input.core.v1.Toleration;

/** Where one workload's pods run and where their images come from, as the stack config says. */
export interface PodPlatform {
  /** `placement.<workload>` over `placement.default` (merged by the config schema). */
  readonly placement: StackConfig["placement"][PlacedWorkloadName];
  /** `images.registry`: the mirror every image is pulled through. */
  readonly registry?: string;
  /** `images.pullSecrets`, and the Secret made from `images.registryCredentials` when set. */
  readonly pullSecrets: readonly string[];
}

/** The platform settings for one workload's pods; every workload builder passes it to hardenedPodSpec. */
export function podPlatform(
  settings: Pick<PlatformSettings, "placement" | "images">,
  workload: PlacedWorkloadName,
): PodPlatform {
  return { ...unplacedPlatform(settings), placement: settings.placement[workload] };
}

/**
 * The platform of pods the placement config does not name (the kind-only demo): no node
 * selector or affinity of their own, images from the same mirror with the same pull Secrets.
 */
export function unplacedPlatform(settings: Pick<PlatformSettings, "images">): PodPlatform {
  return {
    placement: {},
    ...(settings.images.registry === undefined ? {} : { registry: settings.images.registry }),
    pullSecrets: [
      ...settings.images.pullSecrets,
      ...(settings.images.registryCredentials === undefined ? [] : [REGISTRY_CREDENTIALS_SECRET]),
    ],
  };
}

/** A reference's first segment names a registry when it has a '.' or a port, or is localhost. */
function splitRegistry(image: string): { readonly registry: string; readonly path: string } {
  const slash = image.indexOf("/");
  const first = slash === -1 ? "" : image.slice(0, slash);
  if (first !== "" && (/[.:]/.test(first) || first === "localhost")) {
    return { registry: first, path: image.slice(slash + 1) };
  }
  return { registry: "docker.io", path: image };
}

/**
 * The image pulled through `registry`: the mirror's host (and path) replaces the image's registry
 * host; repository path, tag and digest are kept, so the result is pinned exactly as the original.
 * Docker Hub's official images get their implicit `library/`, as a Docker Hub mirror serves them.
 */
export function mirroredImage(image: string, registry?: string): string {
  if (registry === undefined) {
    return image;
  }
  const source = splitRegistry(image);
  const repository = source.path.split(/[:@]/)[0];
  const path =
    source.registry === "docker.io" && !repository.includes("/") ? `library/${source.path}` : source.path;
  return `${registry}/${path}`;
}

/**
 * The pod-level fields of a placement, beside the stack's own: the stack's tolerations come first
 * and the user's are added, and topology spread constraints are not placement's to change, so a
 * user's affinity narrows where replicas go but never undoes their spread over nodes and zones.
 */
export function placementFields(
  platform: PodPlatform,
  stackTolerations: readonly Toleration[] = [],
): Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity" | "priorityClassName" | "imagePullSecrets"> {
  const { nodeSelector, affinity, priorityClassName } = platform.placement;
  const tolerations: Toleration[] = [
    ...stackTolerations,
    ...(platform.placement.tolerations ?? []).map((t) => ({ ...t })),
  ];
  return {
    ...(nodeSelector === undefined ? {} : { nodeSelector: { ...nodeSelector } }),
    ...(tolerations.length === 0 ? {} : { tolerations }),
    // The frozen config as is: the provider only reads it; the input type just lacks `readonly`.
    ...(affinity === undefined ? {} : { affinity: affinity as k8s.types.input.core.v1.Affinity }),
    ...(priorityClassName === undefined ? {} : { priorityClassName }),
    ...(platform.pullSecrets.length === 0
      ? {}
      : { imagePullSecrets: platform.pullSecrets.map((name) => ({ name })) }),
  };
}
