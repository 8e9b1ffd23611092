import { byWorkload, resourceRequirements } from "../fields";

export const resourcesSection = byWorkload(resourceRequirements).describe(
  "Requests and limits of each workload's container; limits.memory also sets GOMEMLIMIT and the collector's memory_limiter.",
);
