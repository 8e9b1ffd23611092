import type { z } from "zod";
import type { Issue } from "../issue";
import type { ExtraRuleFile } from "../ruleFiles";
import type { MetricsSlos } from "../slo/checks";
import { SLOTH_SEVERITY, sloAlertDestination, slothDestination } from "./paging";
import { PLATFORM_RECEIVERS, alertingSection } from "./section";
import { AlertDestination, quotedSeverity, severityProblem, severityRoutes } from "./severities";

// The rules across the alerting section and the alerts the other sections bring; config/schema.ts
// says what each reads.

/**
 * What of a section's alerts the severity rule reads: the overrides of its own rules, and its team
 * rule files.
 */
interface AlertSource {
  readonly alerts: { readonly overrides: Readonly<Record<string, { readonly severity?: string }>> };
  readonly extraRuleFiles: readonly ExtraRuleFile[];
}

/** The validated sections these rules read, by name. */
interface Validated {
  readonly alerting: z.output<typeof alertingSection>;
  readonly metrics: AlertSource & MetricsSlos;
  readonly logs: AlertSource;
}

/** Each receiver an SLO's alert names is one Alertmanager has. */
export function sloReceiversKnown(value: Pick<Validated, "alerting" | "metrics">, issue: Issue): void {
  const receivers = [
    PLATFORM_RECEIVERS.critical,
    PLATFORM_RECEIVERS.warning,
    ...value.alerting.receivers.map((r) => r.name),
  ];
  const unknown = (slo: (typeof value.metrics.slos)[number], path: (string | number)[], inFile: boolean) =>
    (slo.alerts ?? []).forEach((alert, a) =>
      (alert.receivers ?? []).forEach((receiver, r) => {
        if (!receivers.includes(receiver)) {
          issue(
            inFile ? path : [...path, "alerts", a, "receivers", r],
            `${inFile ? `must name Alertmanager receivers in its notification targets: the SLO ${slo.name}'s alert ${alert.name} notifies ${receiver}, which` : `must name an Alertmanager receiver: ${receiver}`} is none of alerting.receivers or the platform's critical and warning (${receivers.join(", ")}); add a receiver of that name to alerting.receivers, or name one of those`,
            inFile,
          );
        }
      }),
    );
  value.metrics.slos.forEach((slo, i) => unknown(slo, ["metrics", "slos", i], false));
  value.metrics.openSloFiles.forEach((slos, i) =>
    slos.forEach((slo) => unknown(slo, ["metrics", "openSloFiles", i], true)),
  );
}

/**
 * Every alert a team brings has a severity a route takes (config/alerting/severities.ts): its own
 * rules' overrides, its rule files', its SLOs' and its SLO files'.
 */
export function alertSeveritiesRouted(value: Validated, issue: Issue): void {
  const routes = severityRoutes(value.alerting.routes);
  const problem = (severity: string | undefined, destination?: AlertDestination) =>
    severityProblem(severity, routes, value.alerting.otherSeverities, destination);
  for (const section of ["metrics", "logs"] as const) {
    for (const [name, override] of Object.entries(value[section].alerts.overrides)) {
      const refused = override.severity === undefined ? undefined : problem(override.severity);
      if (refused !== undefined) issue([section, "alerts", "overrides", name, "severity"], refused);
    }
  }
  for (const section of ["metrics", "logs"] as const) {
    value[section].extraRuleFiles.forEach((file, f) => {
      // A file refused for its content has no groups here.
      if (file?.groups === undefined) return;
      file.groups.forEach((group, g) =>
        group.rules.forEach((rule, r) => {
          const label = rule.labels?.severity !== undefined ? `rules[${r}].labels` : "labels";
          const severity = rule.labels?.severity ?? group.labels?.severity;
          const sloth = rule.labels?.[SLOTH_SEVERITY.label] ?? group.labels?.[SLOTH_SEVERITY.label];
          const refused = rule.alert === undefined ? undefined : problem(severity, slothDestination(sloth));
          if (refused !== undefined) {
            issue(
              [section, "extraRuleFiles", f],
              `(${file.file}) alert ${rule.alert}'s severity${quotedSeverity(severity)} (groups[${g}].${label}.severity) ${refused}`,
              true,
            );
          }
        }),
      );
    });
  }
  value.metrics.slos.forEach((slo, i) =>
    (slo.alerts ?? []).forEach((alert, a) => {
      const refused = problem(alert.severity, sloAlertDestination(alert));
      if (refused !== undefined) issue(["metrics", "slos", i, "alerts", a, "severity"], refused);
    }),
  );
  for (const key of ["openSloFiles", "slothFiles"] as const) {
    value.metrics[key].forEach((slos, i) =>
      slos.forEach((slo) =>
        (slo.alerts ?? []).forEach((alert) => {
          const refused = problem(alert.severity, sloAlertDestination(alert));
          if (refused !== undefined) {
            issue(
              ["metrics", key, i],
              `the severity${quotedSeverity(alert.severity)} of the SLO ${slo.name}'s alert ${alert.name} ${refused}`,
              true,
            );
          }
        }),
      ),
    );
  }
}
