import { Identity, dnsLabel, strict } from "../fields";

const namespacesSectionSchema = strict({
  observability: dnsLabel.describe("Metrics, logs, traces and Grafana; Pod Security restricted."),
  node: dnsLabel.describe(
    "Node agents that need host access; Pod Security privileged, warn and audit restricted.",
  ),
}).describe("The stack's own two namespaces.");

/** The schema of the `namespaces` section, by name (see Identity). */
export interface NamespacesSectionSchema extends Identity<typeof namespacesSectionSchema> {}
export const namespacesSection: NamespacesSectionSchema = namespacesSectionSchema;
