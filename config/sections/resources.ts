import { Identity, byWorkload, resourceRequirements } from "../fields";

const resourcesSectionSchema = byWorkload(resourceRequirements).describe(
  "Requests and limits of each workload's container; limits.memory also sets GOMEMLIMIT and the collector's memory_limiter.",
);

/** The schema of the `resources` section, by name (see Identity). */
export interface ResourcesSectionSchema extends Identity<typeof resourcesSectionSchema> {}
export const resourcesSection: ResourcesSectionSchema = resourcesSectionSchema;
