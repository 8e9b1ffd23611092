import { deployObservabilityStack, loadStackConfig } from "./lib";

/**
 * The program: the whole stack from this Pulumi stack's config, through the package's own entry
 * point. Config is validated with every component's checks before anything is registered, and every
 * Kubernetes object goes through one explicit provider bound to the configured context (the stack
 * files disable the default provider), so nothing can land in whatever cluster kubectl points at.
 */
export = async () => deployObservabilityStack(await loadStackConfig());
