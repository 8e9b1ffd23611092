import { editDistance } from "../errors";
import { anchoredRe2Matches } from "../promql/re2";

// One rule for the `severity` of every alert a team brings (its rule files, metrics.slos, OpenSLO
// alert policies, Sloth specs), as Alertmanager will route it: a severity a route names goes there;
// a near-miss of one (critcal) is a typo and refused; any other goes to the fallback that
// alerting.otherSeverities names, or is refused when it says refuse. Unset, it says nothing: an
// alert that says itself whether it pages (Sloth's page and ticket) or where it goes (an SLO's
// receivers) is routed so, and any other is refused, since nothing tells whether it should page.

/** The severities the platform's own routes read: critical pages, warning makes a ticket. */
export const PLATFORM_SEVERITIES = ["critical", "warning"] as const;

/** What alerting.otherSeverities may say: the receiver of severities no route names, or refuse; unset says nothing. */
export const OTHER_SEVERITIES = ["warning", "critical", "refuse"] as const;
export type OtherSeverities = (typeof OTHER_SEVERITIES)[number] | undefined;

/**
 * What an alert says of where it goes, besides its severity: Sloth's page or ticket (its
 * sloth_severity label), or the receivers an SLO alert names.
 */
export type AlertDestination = "page" | "ticket" | "receivers" | undefined;

/** A severity matcher of a team's route: `severity="page"` or `severity=~"page|sev1"`. */
export const SEVERITY_MATCHER = /^severity(=~|=)"((?:[^"\\]|\\.)*)"$/;

/** The severities routes name, and how to tell whether a route names another. */
export interface SeverityRoutes {
  /** Named severities, the platform's first: what a typo is measured against. */
  readonly names: readonly string[];
  /** Regexes of teams' routes (anchored, as Alertmanager matches them). */
  readonly patterns: readonly string[];
}

/** The severities the platform's routes and the teams' routes (alerting.routes) name. */
export function severityRoutes(routes: readonly { readonly matchers: readonly string[] }[]): SeverityRoutes {
  const names: string[] = [...PLATFORM_SEVERITIES];
  const patterns: string[] = [];
  for (const matcher of routes.flatMap((route) => route.matchers)) {
    const [, op, value] = SEVERITY_MATCHER.exec(matcher) ?? [];
    if (op === "=") {
      names.push(value);
    } else if (op === "=~") {
      patterns.push(value);
      // A plain alternation names its severities.
      names.push(...(/^[\w-]+(\|[\w-]+)*$/.test(value) ? value.split("|") : []));
    }
  }
  return { names: [...new Set(names)], patterns };
}

/** Whether a route reads `severity`: it names it, or its regex matches it. */
export const routed = (severity: string, routes: SeverityRoutes): boolean =>
  routes.names.includes(severity) || routes.patterns.some((pattern) => anchoredRe2Matches(pattern, severity));

/**
 * The routed severity `severity` misspells, if it is one: it in another case, or a few edits from
 * it (one in four letters), but not a number apart (sev2 is no typo of sev1).
 */
function misspelt(severity: string, routes: SeverityRoutes): string | undefined {
  const lower = severity.toLowerCase();
  const digitless = (text: string) => text.toLowerCase().replace(/[0-9]/g, "");
  return routes.names.find((name) => {
    if (name.toLowerCase() === lower) return true;
    if (digitless(name) === digitless(severity)) return false;
    return editDistance(lower, name.toLowerCase()) <= Math.floor(name.length / 4);
  });
}

/** The routes in words, for messages: `critical, warning (the platform's), page (alerting.routes)`. */
export function routesInWords(routes: SeverityRoutes): string {
  const teams = [...routes.names.slice(PLATFORM_SEVERITIES.length), ...routes.patterns.map((p) => `~${p}`)];
  return `${PLATFORM_SEVERITIES.join(", ")} (the platform's)${teams.length === 0 ? "" : `, ${teams.join(", ")} (alerting.routes)`}`;
}

/**
 * Why an alert's severity cannot be taken, said of the severity ("is not a severity any route
 * reads: did you mean critical? …"), or undefined: a typo of a routed severity always; under
 * `refuse` one that no route reads, a missing severity included; and with alerting.otherSeverities
 * unset one that no route reads on an alert that does not say where it goes. A templated severity
 * (`{{ … }}`) is known only when the rule fires, and is left to the fallback.
 */
export function severityProblem(
  severity: string | undefined,
  routes: SeverityRoutes,
  other: OtherSeverities,
  destination: AlertDestination = undefined,
): string | undefined {
  if (severity !== undefined && (severity.includes("{{") || routed(severity, routes))) {
    return undefined;
  }
  const typo = severity === undefined ? undefined : misspelt(severity, routes);
  if (typo !== undefined) {
    return `is not a severity any route reads: did you mean ${typo}? The routes read ${routesInWords(routes)}`;
  }
  const unread = severity === undefined ? "is missing" : "is not a severity any route reads";
  if (other === "refuse") {
    return `${unread}, and alerting.otherSeverities is refuse: the routes read ${routesInWords(routes)}. Give one of those, or add a route to alerting.routes that matches it`;
  }
  if (other === undefined && destination === undefined) {
    return `${unread}, and nothing says whether the alert should page: add a route to alerting.routes that matches it, or set alerting.otherSeverities to warning (the warning receiver takes every alert no route takes), critical (the critical receiver, which pages, takes them) or refuse; the routes read ${routesInWords(routes)}`;
  }
  return undefined;
}

/** A severity as messages quote it after the word "severity": ` "page"`, or nothing when it is missing. */
export const quotedSeverity = (severity: string | undefined): string =>
  severity === undefined ? "" : ` ${JSON.stringify(severity)}`;
