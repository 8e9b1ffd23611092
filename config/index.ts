export { COMPONENTS } from "./components";
export type { ComponentName } from "./components";
export { PROFILE_DEFAULTS } from "./defaults";
export type { Profile } from "./defaults";
export { CONFIG_NAMESPACE, ConfigError, keyPath } from "./errors";
export { loadStackConfig, parsePulumiConfig, parseStackConfig } from "./load";
export type { StackConfig } from "./load";
