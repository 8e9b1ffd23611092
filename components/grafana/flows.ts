import { StackConfig } from "../../config";
import { knownText } from "../../config/fields";
import { Endpoint, Flow, ingressLoadBalancer, nodePortClients, outside, tcp, workload } from "../common/flow";
import { portOfAddress, portOfUrl } from "../common/serviceUrl";
import { networkPorts } from "../common/workloadSpec";
import { GRAFANA } from "./names";

/** Who opens connections into Grafana besides people; absent when not deployed. */
export interface GrafanaClients {
  /** Prometheus, which scrapes its metrics. */
  readonly scraper?: Endpoint;
  /** Kiali, which checks that Grafana answers (its trace links open Grafana). */
  readonly meshConsole?: Endpoint;
}

/**
 * The flows into Grafana and the ones it opens outside the cluster; its queries to the backends are
 * declared by each backend.
 */
export function grafanaFlows(config: StackConfig, clients: GrafanaClients = {}): Flow[] {
  const grafana = workload(config.namespaces.observability, GRAFANA.name);
  const { database, sso, extraDatasources } = config.grafana;
  return [
    ...(clients.scraper === undefined
      ? []
      : [
          {
            from: clients.scraper,
            to: grafana,
            ports: networkPorts(GRAFANA, "http"),
            why: "Grafana's metrics",
          },
        ]),
    ...(clients.meshConsole === undefined
      ? []
      : [
          {
            from: clients.meshConsole,
            to: grafana,
            ports: networkPorts(GRAFANA, "http"),
            why: "Kiali's health and version checks",
          },
        ]),
    {
      from:
        config.exposure.mode === "ingress" && config.exposure.ingress !== undefined
          ? ingressLoadBalancer(config.exposure.ingress)
          : nodePortClients("browsers", config.exposure),
      to: grafana,
      ports: networkPorts(GRAFANA, "http"),
      why: "UI",
    },
    ...(config.metrics.remoteWrite === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("Amazon Managed Prometheus and STS"),
            ports: tcp(443),
            why: "queries, deduplicated across the replicas",
          },
        ]),
    ...(database === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("Grafana's PostgreSQL database", database.cidrs),
            ports: tcp(database.port ?? portOfAddress(knownText(database.host, "grafana.database.host"))),
            why: "dashboards, users and sessions",
          },
        ]),
    ...(config.grafana.replicas > 1
      ? [
          {
            from: grafana,
            to: grafana,
            ports: networkPorts(GRAFANA, "mesh-tcp", "mesh-udp"),
            why: "alerting HA gossip",
          },
        ]
      : []),
    // The browser follows the login redirects; Grafana itself exchanges the code and reads the
    // user's claims over HTTPS. A NetworkPolicy cannot name the provider's hosts: Grafana may reach
    // any address on these ports. Narrower takes an egress proxy or a CNI with FQDN policies.
    ...(sso === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("the single sign-on identity provider"),
            ports: tcp(443, ...[sso.tokenUrl, sso.apiUrl].filter((url) => url !== undefined).map(portOfUrl)),
            why: "OAuth token and user-info requests",
          },
        ]),
    ...(extraDatasources.length === 0
      ? []
      : [
          {
            from: grafana,
            to: outside("extra datasources"),
            ports: tcp(...extraDatasources.map((d) => portOfUrl(d.url))),
            why: "queries",
          },
        ]),
  ];
}

/** Grafana's pods, as NetworkPolicies name them. */
export const grafanaEndpoint = (config: Pick<StackConfig, "namespaces">): Endpoint =>
  workload(config.namespaces.observability, GRAFANA.name);
