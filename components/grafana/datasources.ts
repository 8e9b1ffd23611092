import { TENANT_HEADER } from "../common/tenantHeader";
import { DATASOURCE_UIDS, DatasourceRef } from "../common/grafanaUids";
import { GrafanaBackends, GrafanaSettings } from "./settings";

/** The label the collector's span-metric exemplars carry the trace ID in. */
const EXEMPLAR_TRACE_LABEL = "trace_id";

/** A provisioned datasource as dashboards reference it: by UID and type, or (legacy) by name. */
export interface ProvisionedDatasource extends DatasourceRef {
  readonly name: string;
}

type ExtraDatasource = GrafanaSettings["grafana"]["extraDatasources"][number];

const extraDatasource = (extra: ExtraDatasource): ProvisionedDatasource => ({
  name: extra.name,
  uid: `extra-${extra.type}-${extra.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
  type: extra.type,
});

/** The stack's own datasources Grafana is given backends for. */
const OWN = [
  { backend: "prometheus", name: "Prometheus", uid: DATASOURCE_UIDS.prometheus, type: "prometheus" },
  { backend: "lokiUrl", name: "Loki", uid: DATASOURCE_UIDS.loki, type: "loki" },
  { backend: "tempoUrl", name: "Tempo", uid: DATASOURCE_UIDS.tempo, type: "tempo" },
  {
    backend: "alertmanagerUrl",
    name: "Alertmanager",
    uid: DATASOURCE_UIDS.alertmanager,
    type: "alertmanager",
  },
] as const;

/** Which of the stack's own backends Grafana has: only whether each is given matters. */
export type WiredBackends = Partial<Record<(typeof OWN)[number]["backend"], unknown>>;

/** All of them, as the stack wires them. */
export const ALL_BACKENDS: WiredBackends = Object.fromEntries(OWN.map((own) => [own.backend, true]));

/** Every datasource Grafana is provisioned with: the stack's own it has backends for, then the extra ones. */
export function provisionedDatasources(
  config: Pick<GrafanaSettings, "grafana">,
  backends: WiredBackends,
): ProvisionedDatasource[] {
  return [
    ...OWN.filter((own) => backends[own.backend] !== undefined).map(({ name, uid, type }) => ({
      name,
      uid,
      type,
    })),
    ...config.grafana.extraDatasources.map(extraDatasource),
  ];
}

/**
 * Grafana's datasource provisioning, every signal linked to the others it has: metric exemplars and
 * log lines open their trace in Tempo; traces open their logs, metrics and the service map.
 */
export function datasourceProvisioning(config: Pick<GrafanaSettings, "grafana">, backends: GrafanaBackends) {
  const tenant = backends.lokiTenant;
  const has = (uid: string) => provisionedDatasources(config, backends).some((d) => d.uid === uid);
  const own = (uid: string) => {
    const found = OWN.find((d) => d.uid === uid);
    return found === undefined ? undefined : { name: found.name, uid: found.uid, type: found.type };
  };
  const prometheus = backends.prometheus;
  return {
    apiVersion: 1,
    // Datasources are owned by the program: edits in the UI would be lost at the next start.
    deleteDatasources: [],
    datasources: [
      ...(prometheus === undefined
        ? []
        : [
            {
              ...own(DATASOURCE_UIDS.prometheus),
              access: "proxy",
              url: prometheus.url,
              isDefault: true,
              editable: false,
              jsonData: {
                httpMethod: "POST",
                // AMP: signed with the pod's IRSA role (the AWS SDK's default chain).
                ...(prometheus.sigV4Region === undefined
                  ? {}
                  : { sigV4Auth: true, sigV4AuthType: "default", sigV4Region: prometheus.sigV4Region }),
                ...(has(DATASOURCE_UIDS.tempo)
                  ? {
                      exemplarTraceIdDestinations: [
                        { name: EXEMPLAR_TRACE_LABEL, datasourceUid: DATASOURCE_UIDS.tempo },
                      ],
                    }
                  : {}),
              },
            },
          ]),
      ...(backends.lokiUrl === undefined
        ? []
        : [
            {
              ...own(DATASOURCE_UIDS.loki),
              access: "proxy",
              url: backends.lokiUrl,
              editable: false,
              jsonData: {
                maxLines: 1000,
                ...(backends.traceIdExpression !== undefined && has(DATASOURCE_UIDS.tempo)
                  ? {
                      derivedFields: [
                        {
                          name: "TraceID",
                          matcherRegex: backends.traceIdExpression,
                          url: "${__value.raw}",
                          datasourceUid: DATASOURCE_UIDS.tempo,
                          urlDisplayLabel: "View trace",
                        },
                      ],
                    }
                  : {}),
                ...(tenant === undefined ? {} : { httpHeaderName1: TENANT_HEADER }),
              },
              ...(tenant === undefined ? {} : { secureJsonData: { httpHeaderValue1: tenant } }),
            },
          ]),
      ...(backends.tempoUrl === undefined
        ? []
        : [
            {
              ...own(DATASOURCE_UIDS.tempo),
              access: "proxy",
              url: backends.tempoUrl,
              editable: false,
              jsonData: {
                ...(has(DATASOURCE_UIDS.loki)
                  ? {
                      tracesToLogsV2: {
                        datasourceUid: DATASOURCE_UIDS.loki,
                        filterByTraceID: true,
                        spanStartTimeShift: "-5m",
                        spanEndTimeShift: "5m",
                        tags: [
                          { key: "k8s.namespace.name", value: "namespace" },
                          { key: "k8s.pod.name", value: "pod" },
                        ],
                      },
                    }
                  : {}),
                ...(has(DATASOURCE_UIDS.prometheus)
                  ? {
                      tracesToMetrics: {
                        datasourceUid: DATASOURCE_UIDS.prometheus,
                        spanStartTimeShift: "-5m",
                        spanEndTimeShift: "5m",
                        tags: [{ key: "service.name", value: "service_name" }],
                        queries: [
                          {
                            name: "Request rate",
                            query: "sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))",
                          },
                          {
                            name: "p95 latency",
                            query:
                              "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_duration_seconds_bucket{$__tags}[5m])))",
                          },
                        ],
                      },
                      serviceMap: { datasourceUid: DATASOURCE_UIDS.prometheus },
                    }
                  : {}),
                nodeGraph: { enabled: true },
                ...(has(DATASOURCE_UIDS.loki) ? { lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki } } : {}),
                search: { hide: false },
              },
            },
          ]),
      ...(backends.alertmanagerUrl === undefined
        ? []
        : [
            {
              ...own(DATASOURCE_UIDS.alertmanager),
              access: "proxy",
              url: backends.alertmanagerUrl,
              editable: false,
              jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
            },
          ]),
      ...config.grafana.extraDatasources.map((extra) => ({
        ...extraDatasource(extra),
        access: "proxy",
        url: extra.url,
        editable: false,
        ...(extra.type === "elasticsearch"
          ? { jsonData: { index: extra.index, timeField: extra.timeField } }
          : {}),
      })),
    ],
  };
}

/**
 * Grafana expands `$NAME` in provisioning files from its environment; `$$` is a literal dollar.
 * Datasource templates (`${__value.raw}`, `$__tags`) must reach Grafana as written.
 */
export function escapeForProvisioning(text: string): string {
  return text.replaceAll("$", () => "$$"); // a function: in a replacement string "$$" means "$"
}
