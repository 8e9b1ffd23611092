import { z } from "zod";
import {
  Identity,
  byComponent,
  dnsSubdomain,
  nonEmpty,
  orOutput,
  pinnedImage,
  reportDuplicates,
} from "../fields";
import { DATA_SERVER_IMAGES } from "../dataServers";

/**
 * A mirror's host and optional path, e.g. `registry.example.com/mirror` or `localhost:5000`. The
 * host needs a '.' or a port (or is localhost): anything else a runtime reads as a Docker Hub path.
 */
const REGISTRY =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

function registryProblem(registry: string): string | undefined {
  if (registry.includes("://")) {
    return "must be a registry host without a scheme, such as registry.example.com/mirror";
  }
  if (registry.endsWith("/")) {
    return "must not end with '/'";
  }
  const host = registry.split("/")[0];
  if (!REGISTRY.test(registry) || !(/[.:]/.test(host) || host === "localhost")) {
    return "must be a registry host with a '.' or a port and an optional path, such as registry.example.com/mirror";
  }
  return undefined;
}

/** The Secret the stack creates from `images.registryCredentials` in both of its namespaces. */
export const REGISTRY_CREDENTIALS_SECRET = "registry-credentials";

/** `~/.docker/config.json` as `docker login` writes it: an `auths` object keyed by registry. */
function isDockerConfigJson(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    const auths = (parsed as { auths?: unknown } | null)?.auths;
    return (
      auths !== null && typeof auths === "object" && !Array.isArray(auths) && Object.keys(auths).length > 0
    );
  } catch {
    return false;
  }
}

const imageRegistry = z.string().superRefine((registry, ctx) => {
  const message = registryProblem(registry);
  if (message !== undefined) {
    ctx.addIssue({ code: "custom", message });
  }
});

const imagesSectionSchema = byComponent(pinnedImage)
  .extend({
    registry: imageRegistry
      .optional()
      .describe(
        "Pull every image through this mirror: its host and path replace each image's registry host.",
      ),
    registryCredentials: orOutput(
      nonEmpty
        .refine(
          isDockerConfigJson,
          'must be Docker config JSON such as {"auths":{"registry.example.com":{"auth":"…"}}}',
        )
        .brand<"Secret">(),
    )
      .optional()
      .describe(
        "The mirror's pull credentials as Docker config JSON; the stack creates the Secret registry-credentials from it in both of its namespaces.",
      ),
    pullSecrets: z
      .array(dnsSubdomain)
      .superRefine((names, ctx) => reportDuplicates([...names.entries()], [], ctx))
      .describe(
        "Existing dockerconfigjson Secrets, in both stack namespaces, set as every pod's imagePullSecrets.",
      ),
    acceptDowngrade: z
      .array(z.enum(DATA_SERVER_IMAGES))
      .superRefine((names, ctx) => reportDuplicates([...names.entries()], [], ctx))
      .describe(
        "Data servers whose image this update may take back to an older release (a rollback), once its release notes say the older one reads what the newer wrote; refused otherwise.",
      ),
  })
  .describe(
    "Pinned images of every component (a tag other than latest, or a digest), and where they are pulled from.",
  );

/** The schema of the `images` section, by name (see Identity). */
export interface ImagesSectionSchema extends Identity<typeof imagesSectionSchema> {}
export const imagesSection: ImagesSectionSchema = imagesSectionSchema;
