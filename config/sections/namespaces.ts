import { dnsLabel, strict } from "../fields";

export const namespacesSection = strict({
  observability: dnsLabel.describe("Metrics, logs, traces and Grafana; Pod Security restricted."),
  node: dnsLabel.describe(
    "Node agents that need host access; Pod Security privileged, warn and audit restricted.",
  ),
}).describe("The stack's own two namespaces.");
