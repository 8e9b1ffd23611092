export { COMPONENTS } from "./components";
export type { ComponentName, PlacedWorkloadName } from "./components";
export { PROFILE_DEFAULTS } from "./defaults";
export type { Profile } from "./defaults";
export { CONFIG_NAMESPACE, ConfigError, keyPath } from "./errors";
export { PLATFORM_RECEIVERS } from "./alerting/section";
export { REGISTRY_CREDENTIALS_SECRET } from "./sections/images";
export type { StackConfig } from "./stackConfig";
export type { PulumiConfig } from "./pulumiConfig";
