import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "./settings";

/**
 * How long `pulumi up` waits for a workload to become ready, on create and on update
 * (`cluster.rolloutTimeoutMinutes`): past it, the provider fails the step with the workload's
 * pods and their reason, instead of waiting out its own default.
 */
export function rolloutTimeouts(
  cluster: Pick<PlatformSettings["cluster"], "rolloutTimeoutMinutes">,
): pulumi.CustomTimeouts {
  const minutes = `${cluster.rolloutTimeoutMinutes}m`;
  return { create: minutes, update: minutes };
}
