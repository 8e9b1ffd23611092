import { DEMO_SLOS } from "../demo";
import type { Issue } from "../issue";
import type { SloSpec } from "./sloSpec";

// The rules across the SLOs of the metrics section; config/schema.ts says what each reads.

/** The SLOs the metrics section states: its own, and those of each of its OpenSLO and Sloth files. */
export interface MetricsSlos {
  readonly slos: readonly SloSpec[];
  readonly openSloFiles: readonly (readonly SloSpec[])[];
  readonly slothFiles: readonly (readonly SloSpec[])[];
}

/** No SLO is named twice, wherever it is stated. */
export function sloNamesUnique(value: { readonly metrics: MetricsSlos }, issue: Issue): void {
  const sloNames = new Set(value.metrics.slos.map((s) => s.name));
  for (const key of ["openSloFiles", "slothFiles"] as const) {
    value.metrics[key].forEach((slos, i) =>
      slos.forEach((slo) => {
        if (sloNames.has(slo.name)) {
          issue(
            ["metrics", key, i],
            `must not name an SLO twice: ${slo.name} is already in metrics.slos or an earlier file`,
          );
        }
        sloNames.add(slo.name);
      }),
    );
  }
}

/** While the demo runs, no team SLO takes one of the demo's SLO names. */
export function demoSloNamesFree(
  value: { readonly demo: { readonly enabled: boolean }; readonly metrics: MetricsSlos },
  issue: Issue,
): void {
  if (!value.demo.enabled) {
    return;
  }
  const demoSlos = new Set(DEMO_SLOS.map((slo) => slo.name));
  const taken = `one of the demo's SLO names (${[...demoSlos].join(", ")}) while demo.enabled: the demo adds those SLOs`;
  value.metrics.slos.forEach((slo, i) => {
    if (demoSlos.has(slo.name)) issue(["metrics", "slos", i, "name"], `must not be ${taken}`);
  });
  for (const key of ["openSloFiles", "slothFiles"] as const) {
    value.metrics[key].forEach((slos, i) =>
      slos.forEach((slo) => {
        if (demoSlos.has(slo.name)) {
          issue(["metrics", key, i], `must not name ${slo.name}, ${taken}`);
        }
      }),
    );
  }
}
