import { ALERTING_DEFAULTS } from "./alerting/defaults";
import { METRICS_DEFAULTS } from "./metrics/defaults";
import { Profile, onProfile } from "./profiles";
import { StackConfigInput } from "./schema";
import {
  APPS_DEFAULTS,
  CLUSTER_DEFAULTS,
  DEMO_DEFAULTS,
  EXPOSURE_DEFAULTS,
  GRAFANA_DEFAULTS,
  IMAGES_DEFAULTS,
  LOGS_DEFAULTS,
  MESH_DEFAULTS,
  NAMESPACES_DEFAULTS,
  PLACEMENT_DEFAULTS,
  STORAGE_DEFAULTS,
  TRACING_DEFAULTS,
} from "./sections/defaults";
import { RESOURCES_DEFAULTS } from "./sections/resourceDefaults";

export type { Profile } from "./profiles";

/** Every section's defaults on `profile`, from the defaults each folder keeps for both profiles. */
const profileDefaults = (profile: Profile): StackConfigInput => ({
  profile,
  cluster: onProfile(CLUSTER_DEFAULTS, profile),
  namespaces: onProfile(NAMESPACES_DEFAULTS, profile),
  apps: onProfile(APPS_DEFAULTS, profile),
  metrics: onProfile(METRICS_DEFAULTS, profile),
  logs: onProfile(LOGS_DEFAULTS, profile),
  tracing: onProfile(TRACING_DEFAULTS, profile),
  grafana: onProfile(GRAFANA_DEFAULTS, profile),
  alerting: onProfile(ALERTING_DEFAULTS, profile),
  exposure: onProfile(EXPOSURE_DEFAULTS, profile),
  storage: onProfile(STORAGE_DEFAULTS, profile),
  images: onProfile(IMAGES_DEFAULTS, profile),
  placement: onProfile(PLACEMENT_DEFAULTS, profile),
  resources: onProfile(RESOURCES_DEFAULTS, profile),
  demo: onProfile(DEMO_DEFAULTS, profile),
  mesh: onProfile(MESH_DEFAULTS, profile),
});

/**
 * What each profile starts from. A stack file only states where it differs; objects merge
 * key by key, arrays and scalars replace.
 */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, StackConfigInput>> = {
  // Sized for a laptop: the whole stack requests under 1 CPU and 2 GiB.
  kind: profileDefaults("kind"),
  // Sized for a small production cluster; docs/operations.md's sizing note says which keys to raise.
  eks: profileDefaults("eks"),
};
