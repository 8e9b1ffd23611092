import { PLATFORM_RECEIVERS } from "./section";
import { AlertDestination, PLATFORM_SEVERITIES, severityRoutes } from "./severities";

// What pages: an alert its author marked as a page reaches a receiver that pages someone, unless a
// route of alerting.routes takes it first. Sloth marks its page with the label sloth_severity="page";
// an SLO alert (an OpenSLO notification target) that names a paging receiver goes there by its own
// route; a severity a team's route names for a paging receiver pages wherever it comes from.

/** The integrations that page someone (open an incident, wake the on-call); the others post where people read later. */
const PAGING_INTEGRATIONS = ["pagerduty", "opsgenie"] as const;

/** The label Sloth gives its page and ticket alerts, and the page's value. */
export const SLOTH_SEVERITY = { label: "sloth_severity", page: "page", ticket: "ticket" } as const;

/** What Sloth's label says of an alert: that it is the page, the ticket, or nothing. */
export const slothDestination = (label: string | undefined): AlertDestination =>
  label === SLOTH_SEVERITY.page ? "page" : label === SLOTH_SEVERITY.ticket ? "ticket" : undefined;

/** What an SLO alert says of where it goes: the receivers it names, or else Sloth's label. */
export const sloAlertDestination = (alert: {
  readonly receivers?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}): AlertDestination =>
  (alert.receivers?.length ?? 0) > 0 ? "receivers" : slothDestination(alert.labels?.[SLOTH_SEVERITY.label]);

type Receiver = { readonly name: string } & {
  readonly [K in (typeof PAGING_INTEGRATIONS)[number]]?: readonly unknown[];
};
type Route = { readonly matchers: readonly string[]; readonly receiver: string };

/** The receivers that page: the platform's critical one, and teams' with a PagerDuty or Opsgenie integration. */
function pagingReceivers(receivers: readonly Receiver[]): string[] {
  return [
    PLATFORM_RECEIVERS.critical,
    ...receivers
      .filter((r) => PAGING_INTEGRATIONS.some((integration) => (r[integration]?.length ?? 0) > 0))
      .map((r) => r.name),
  ];
}

/**
 * The severities teams' routes name (`severity="page"`, `severity=~"sev1|sev2"`) for a paging
 * receiver, besides the platform's own words: an alert of one that no route takes pages too. A
 * pattern (`severity=~"sev.*"`) names none, so it makes no other team's alerts pages.
 */
export function pagingSeverities(routes: readonly Route[], receivers: readonly Receiver[]): string[] {
  const paging = pagingReceivers(receivers);
  const named = routes
    .filter((route) => paging.includes(route.receiver))
    .flatMap((route) => severityRoutes([route]).names)
    .filter((name) => !(PLATFORM_SEVERITIES as readonly string[]).includes(name));
  return [...new Set(named)];
}
