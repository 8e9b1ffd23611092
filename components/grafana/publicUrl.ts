import { StackConfig } from "../../config";

/** Where people open Grafana: the Ingress host on eks, the NodePort on kind. */
export function grafanaPublicUrl(exposure: StackConfig["exposure"]): string {
  return exposure.mode === "ingress" && exposure.ingress !== undefined
    ? `https://${exposure.ingress.host}`
    : `http://localhost:${exposure.nodePorts.grafana}`;
}
