/**
 * `@observability-stack/pulumi`, the package's entry point: the design card's four components
 * (MetricsStack, LogsStack, TracingStack and GrafanaStack), the components that complete them, their
 * args and the types those name, and the stack-config path the program takes.
 * @module components
 */
export { MetricsStack } from "./components/metricsStack";
export type { MetricsStackArgs, SpanMetricBuckets } from "./components/metricsStack";
export { LogsStack } from "./components/logsStack";
export type { LogsStackArgs, RunbookLinks } from "./components/logsStack";
export { TracingStack } from "./components/tracingStack";
export type { SloDefaults, TracingStackArgs } from "./components/tracingStack";
export { GrafanaStack } from "./components/grafanaStack";
export type { GrafanaMetricsArgs, GrafanaStackArgs } from "./components/grafanaStack";
export { KialiStack } from "./components/kialiStack";
export type { KialiStackArgs } from "./components/kialiStack";
export { StackNamespaces } from "./components/stackNamespaces";
export type { RegistryCredentialsArgs, StackNamespacesArgs } from "./components/stackNamespaces";
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
export type { DemoSwitch, PlatformArgs, SectionArgs } from "./components/common/settings";
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
export type { ArgsOf } from "./config/argsOf";
export type { ConfigArgs } from "./config/componentArgs";
export type { ContainerResources, ContainerResourcesConfig } from "./config/fields";
export type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  LabelSelectorRequirement,
  PodAffinityTerm,
  PreferredSchedulingTerm,
  Toleration,
  WeightedPodAffinityTerm,
  WorkloadPlacement,
  WorkloadPlacementConfig,
} from "./config/sections/placement";
export type { AppService } from "./config/sections/apps";
export type {
  AlertReceiver,
  AlertRoute,
  EmailReceiver,
  MsTeamsReceiver,
  OpsgenieReceiver,
  OpsgenieResponder,
  PagerDutyReceiver,
  SlackReceiver,
  WebhookReceiver,
} from "./config/alerting/section";
export type { AlertTimeInterval, TimeIntervalPeriod, TimeRange } from "./config/alerting/timeIntervals";
export type {
  ExtraScrapeConfig,
  KubernetesDiscovery,
  PostgresTarget,
  RedisTarget,
  RelabelConfig,
  StaticTargets,
} from "./config/metrics/section";
export type { RemoteStore } from "./config/metrics/objectStorage";
export type {
  DashboardFolder,
  ElasticsearchDatasource,
  FolderPermission,
  GrafanaTeam,
  JaegerDatasource,
} from "./config/sections/grafana";
export type { CognitoAuth, OidcAuth } from "./config/sections/exposure";
export type {
  BurnRateCondition,
  LatencyIndicator,
  RatioIndicator,
  RawIndicator,
  Slo,
  SloAlert,
  ThresholdIndicator,
} from "./config/slo/sloSpec";
export type { FileContent } from "./config/projectFiles";
export type { LoadedStackConfig } from "./config/load";
export type { StackConfig } from "./config/stackConfig";
export { loadStackConfig } from "./components/stackConfig";
export { deployObservabilityStack } from "./components/observabilityStack";
export { wiringGraph } from "./components/wiring/graph";
