// The package's entry point: the design card's four components, the helpers that complete them,
// their args and the types those name, and the stack-config path the program takes.
export { MetricsStack } from "./components/metricsStack";
export type { MetricsStackArgs } from "./components/metricsStack";
export { LogsStack } from "./components/logsStack";
export type { LogsStackArgs } from "./components/logsStack";
export { TracingStack } from "./components/tracingStack";
export type { TracingStackArgs } from "./components/tracingStack";
export { GrafanaStack } from "./components/grafanaStack";
export type { GrafanaStackArgs } from "./components/grafanaStack";
export { KialiStack } from "./components/kialiStack";
export type { KialiStackArgs } from "./components/kialiStack";
export { StackNamespaces } from "./components/stackNamespaces";
export type { StackNamespacesArgs } from "./components/stackNamespaces";
export { DemoStack } from "./components/demoStack";
export type { DemoStackArgs } from "./components/demoStack";

export type { Endpoint, Flow, Port, SpanReceiver } from "./components/common/flow";
export type {
  ClusterChoice,
  GrafanaPeer,
  LokiPeer,
  Peer,
  PeerServer,
  PrometheusPeer,
} from "./components/common/peer";
export type { PlatformArgs, SectionArgs } from "./components/common/settings";
export type { ScrapeConfig } from "./components/common/prometheusTypes";
export type { ServiceAccountName } from "./components/common/serviceAccount";
export type { MetricsServiceAccounts } from "./components/metrics/serviceAccounts";
export type { LogsServiceAccounts } from "./components/logs/serviceAccounts";
export type { TracingServiceAccounts } from "./components/tracing/serviceAccounts";
export type { GrafanaServiceAccounts } from "./components/grafana/serviceAccounts";
export type { KialiServiceAccounts } from "./components/kiali/serviceAccounts";
export type { MetricsClients } from "./components/metrics/flows";
export type { LogsClients } from "./components/logs/flows";
export type { TracingClients } from "./components/tracing/flows";
export type { GrafanaClients } from "./components/grafana/flows";
export type { KialiClients } from "./components/kiali/flows";

export { ConfigError } from "./config/errors";
export type { ConfigArgs } from "./config/componentArgs";
export type { LoadedStackConfig } from "./config/load";
export type { StackConfig } from "./config/stackConfig";
export { loadStackConfig } from "./components/stackConfig";
export { deployObservabilityStack } from "./components/observabilityStack";
export { wiringGraph } from "./components/wiring/graph";
