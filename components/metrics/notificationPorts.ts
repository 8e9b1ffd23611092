import { StackConfig } from "../../config";
import { portOfAddress, portOfUrl } from "../common/serviceUrl";

/**
 * The ports Alertmanager's notifications leave on, for the receivers configured and no others:
 * HTTPS for the SaaS integrations, the SMTP smarthosts' ports, each team webhook's port. The
 * platform's own webhook and Watchdog URLs are secrets whose port the graph cannot read, so they
 * keep 443 and 80.
 */
export function notificationPorts(alerting: StackConfig["alerting"]): number[] {
  const teams = alerting.receivers;
  const ports = [
    ...(alerting.slack === undefined ? [] : [443]),
    ...(alerting.email === undefined ? [] : [portOfAddress(alerting.email.smarthost)]),
    ...(alerting.webhook === undefined && alerting.watchdog === undefined ? [] : [443, 80]),
    ...teams.flatMap((r) => [
      ...[...(r.slack ?? []), ...(r.pagerduty ?? []), ...(r.msteams ?? [])].map(() => 443),
      ...(r.opsgenie ?? []).map((o) => (o.apiUrl === undefined ? 443 : portOfUrl(o.apiUrl))),
      ...(r.webhook ?? []).map((w) => w.port),
      ...(r.email ?? []).map((e) => portOfAddress(e.smarthost)),
    ]),
  ];
  return [...new Set(ports)].sort((a, b) => a - b);
}
