import { keyPath } from "../errors";
import { migrationHint } from "../migrations";
import { anchoredRe2Matches } from "../promql/re2";
import { SEVERITY_MATCHER } from "./severities";

/** What of `alerting` decides where a critical alert goes; of the integrations, only whether each is set. */
interface Alerting {
  readonly slack?: unknown;
  readonly email?: unknown;
  readonly webhook?: unknown;
  readonly routes: readonly { readonly matchers: readonly string[]; readonly receiver: string }[];
  readonly receivers: readonly { readonly name: string; readonly drop?: boolean }[];
}

/** A route's matcher that every critical alert meets: on `severity` alone, accepting `critical`. */
function takesCritical(matcher: string): boolean {
  const [, op, value] = SEVERITY_MATCHER.exec(matcher) ?? [];
  return op === "=" ? value === "critical" : op === "=~" && anchoredRe2Matches(value, "critical");
}

/**
 * Where a critical alert is delivered, as config keys: the platform's integrations, which the
 * critical receiver posts to, and the teams' routes that take every critical alert (their
 * matchers read `severity` alone) to a receiver that notifies. None: critical alerts reach no one.
 */
export function criticalAlertDestinations(alerting: Alerting): string[] {
  const notifying = new Set(alerting.receivers.filter((r) => r.drop !== true).map((r) => r.name));
  return [
    ...(["slack", "email", "webhook"] as const)
      .filter((integration) => alerting[integration] !== undefined)
      .map((integration) => keyPath(["alerting", integration])),
    ...alerting.routes.flatMap((route, i) =>
      notifying.has(route.receiver) && route.matchers.every(takesCritical)
        ? [keyPath(["alerting", "routes", i])]
        : [],
    ),
  ];
}

/** What is said of a stack whose critical alerts reach no one. */
export const UNDELIVERED_CRITICAL =
  `critical alerts reach no one: set ${keyPath(["alerting", "slack"])}, ${keyPath(["alerting", "email"])} or ` +
  `${keyPath(["alerting", "webhook"])} (the critical receiver's integrations), or a route of ` +
  `${keyPath(["alerting", "routes"])} whose matchers take severity="critical" to a receiver of ` +
  `${keyPath(["alerting", "receivers"])} that notifies`;

/**
 * A production stack (profile eks) must deliver its critical alerts somewhere; kind only warns
 * (MetricsStack), since a laptop cluster often has no one to page.
 */
export function undeliveredCriticalProblems(config: {
  readonly profile: string;
  readonly alerting: Alerting;
}): string[] {
  if (config.profile !== "eks" || criticalAlertDestinations(config.alerting).length > 0) {
    return [];
  }
  const hint = migrationHint(["alerting"], true);
  return [
    `${keyPath(["alerting"])}: ${UNDELIVERED_CRITICAL} (profile eks)` +
      (hint === undefined ? "" : `; ${hint}`),
  ];
}
