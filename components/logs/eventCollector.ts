import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlloyBlock, expression, renderAlloy } from "../common/alloySyntax";
import { deploySingleAlloy } from "../common/alloyRun";
import { KUBERNETES_EVENTS } from "../common/kubernetesEvents";
import { lokiWrite } from "./lokiWrite";
import { EVENT_COLLECTOR } from "./names";
import { LogsSettings } from "./settings";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** Events, in every namespace, and nothing else: node events are in `default`, the system's in `kube-system`. */
export const EVENT_COLLECTOR_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
];

const fromLine = Object.fromEntries(KUBERNETES_EVENTS.labels.map((label) => [label, ""]));

/**
 * Every event of the cluster as a logfmt line, its involved object's kind and name, its reason and
 * type lifted into labels, into Loki beside the pods' lines, as one service. The source's `instance` label (its own
 * component id) says nothing and is dropped.
 */
export function eventCollectorConfig(config: LogsSettings): string {
  const blocks: AlloyBlock[] = [
    {
      name: "loki.source.kubernetes_events",
      label: "cluster",
      attributes: {
        job_name: KUBERNETES_EVENTS.job,
        log_format: "logfmt",
        forward_to: [expression("loki.process.events.receiver")],
      },
    },
    {
      name: "loki.process",
      label: "events",
      attributes: { forward_to: [expression("loki.write.default.receiver")] },
      blocks: [
        { name: "stage.logfmt", attributes: { mapping: fromLine } },
        { name: "stage.labels", attributes: { values: fromLine } },
        { name: "stage.label_drop", attributes: { values: ["instance"] } },
        // Loki would name the service after the first of its labels it knows, here `name`: every
        // pod and object would be a service of its own in Grafana's log views.
        { name: "stage.static_labels", attributes: { values: { service_name: KUBERNETES_EVENTS.job } } },
      ],
    },
    lokiWrite(config),
  ];
  return renderAlloy(blocks);
}

/**
 * The cluster's one reader of events, which the API server keeps for an hour only (one Alloy: a
 * second would ship every event twice). Its position (the newest event shipped) is scratch: a new
 * pod ships again the events the API server still holds, the same lines at the same times, which
 * Loki's queries return once, as they do a line written to several replicas.
 */
export function deployEventCollector(
  name: string,
  config: LogsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  deploySingleAlloy(
    name,
    {
      spec: EVENT_COLLECTOR,
      component: "logs",
      settings: config,
      placement: "eventCollector",
      clusterRules: EVENT_COLLECTOR_RULES,
      configMap: "event-collector-config",
      configText: eventCollectorConfig(config),
      resources: config.resources.eventCollector,
    },
    opts,
  );
}
