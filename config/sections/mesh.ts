import { z } from "zod";
import { Identity, dnsLabel, reportDuplicates, strict } from "../fields";

const istio = strict({
  enabled: z
    .boolean()
    .describe(
      "Scrape the sidecars and istiod, record mesh RED and SLO signals, add the Istio Mesh dashboard and run Kiali.",
    ),
  namespaces: z
    .array(dnsLabel)
    .superRefine((names, ctx) => reportDuplicates([...names.entries()], [], ctx))
    .describe(
      "Namespaces whose pods carry Istio sidecars (the gateways' namespace too, to scrape them); they must exist.",
    ),
  istiodNamespace: dnsLabel.describe(
    "Where istiod runs: its Service istiod (or istiod-<revision>) with the port http-monitoring (15014).",
  ),
  kiali: z
    .boolean()
    .describe(
      "Run Kiali, read-only, on this stack's Prometheus, Tempo and Grafana; false when the mesh has its own.",
    ),
}).superRefine((value, ctx) => {
  if (value.enabled && value.namespaces.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["namespaces"],
      message: "must list at least one meshed namespace when mesh.istio.enabled is true",
    });
  }
});

const meshSectionSchema = strict({
  istio: istio.describe("An Istio service mesh (sidecar mode) the apps run in; off by default."),
}).describe("The service mesh the apps run in.");

/** The schema of the `mesh` section, by name (see Identity). */
export interface MeshSectionSchema extends Identity<typeof meshSectionSchema> {}
export const meshSection: MeshSectionSchema = meshSectionSchema;
