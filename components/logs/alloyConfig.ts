import { AlloyBlock, expression, renderAlloy } from "../common/alloySyntax";
import {
  IP_ADDRESS_REGEX,
  IP_MASK,
  JSON_LEVEL_REGEX,
  LEVEL_TEMPLATE,
  SPAN_ID_REGEX,
  SPRING_LEVEL_REGEX,
  TRACE_ID_REGEX,
} from "./logPatterns";
import { LOKI_CANARY } from "./names";
import { lokiWrite } from "./lokiWrite";
import { LogsSettings } from "./settings";

type Attributes = NonNullable<AlloyBlock["attributes"]>;

const rule = (attributes: AlloyBlock["attributes"]): AlloyBlock => ({ name: "rule", attributes });

/**
 * Pods of the app namespaces, and the Loki canary in the stack's namespace (its lines take the
 * apps' path); in `node` mode only those on this agent's node.
 */
function discovery(config: LogsSettings): AlloyBlock[] {
  const node = config.logs.collectionMode === "node";
  const onThisNode: Attributes = node ? { field: expression('"spec.nodeName=" + sys.env("NODE_NAME")') } : {};
  const pods = (label: string, namespaces: readonly string[], selector: Attributes): AlloyBlock => ({
    name: "discovery.kubernetes",
    label,
    attributes: { role: "pod" },
    blocks: [
      { name: "namespaces", attributes: { names: [...namespaces] } },
      ...(Object.keys(selector).length === 0
        ? []
        : [{ name: "selectors", attributes: { role: "pod", ...selector } }]),
    ],
  });
  // No app namespace, no app discovery: an empty `names` would have Alloy watch every namespace,
  // beyond what its Roles let it read.
  const apps = config.apps.namespaces.length === 0 ? [] : [pods("pods", config.apps.namespaces, onThisNode)];
  const canary = pods("canary", [config.namespaces.observability], {
    label: `app.kubernetes.io/name=${LOKI_CANARY.name}`,
    ...onThisNode,
  });
  const targets = [...apps, canary].map((block) => `discovery.kubernetes.${block.label}.targets`);
  return [
    ...apps,
    canary,
    {
      name: "discovery.relabel",
      label: "pods",
      attributes: {
        targets: expression(targets.length === 1 ? targets[0] : `array.concat(${targets.join(", ")})`),
      },
      blocks: [
        rule({ source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" }),
        rule({ source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" }),
        rule({ source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" }),
        // `app` as the reference platform's Promtail set it, else the standard name label.
        rule({
          source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
          regex: "(.+)",
          target_label: "app",
        }),
        rule({ source_labels: ["__meta_kubernetes_pod_label_app"], regex: "(.+)", target_label: "app" }),
        ...(node
          ? [
              rule({
                source_labels: [
                  "__meta_kubernetes_namespace",
                  "__meta_kubernetes_pod_name",
                  "__meta_kubernetes_pod_uid",
                  "__meta_kubernetes_pod_container_name",
                ],
                separator: "/",
                regex: "(.+)/(.+)/(.+)/(.+)",
                replacement: "/var/log/pods/${1}_${2}_${3}/${4}/*.log",
                target_label: "__path__",
              }),
            ]
          : []),
      ],
    },
  ];
}

/** `node`: tail the kubelet's files (positions in the agent's storage); `api`: stream through the API. */
function sources(config: LogsSettings): AlloyBlock[] {
  const forward = { forward_to: [expression("loki.process.pods.receiver")] };
  if (config.logs.collectionMode === "api") {
    return [
      {
        name: "loki.source.kubernetes",
        label: "pods",
        attributes: { targets: expression("discovery.relabel.pods.output"), ...forward },
      },
    ];
  }
  return [
    {
      name: "local.file_match",
      label: "pods",
      attributes: { path_targets: expression("discovery.relabel.pods.output") },
    },
    {
      name: "loki.source.file",
      label: "pods",
      attributes: { targets: expression("local.file_match.pods.targets"), ...forward },
    },
  ];
}

/**
 * The processing stages: CRI parsing (files only), noise dropped, trace and span IDs kept as
 * structured metadata (not labels: one stream per trace would explode cardinality), `level` as a
 * lowercase label, and addresses masked where configured.
 */
function processing(config: LogsSettings): AlloyBlock {
  const stage = (name: string, attributes: AlloyBlock["attributes"]): AlloyBlock => ({
    name: `stage.${name}`,
    attributes,
  });
  return {
    name: "loki.process",
    label: "pods",
    attributes: { forward_to: [expression("loki.write.default.receiver")] },
    blocks: [
      ...(config.logs.collectionMode === "node" ? [stage("cri", {})] : []),
      ...config.logs.dropPatterns.map((pattern) =>
        stage("drop", { expression: pattern, drop_counter_reason: "noise" }),
      ),
      stage("regex", { expression: TRACE_ID_REGEX }),
      stage("regex", { expression: SPAN_ID_REGEX }),
      stage("regex", { expression: SPRING_LEVEL_REGEX }),
      stage("regex", { expression: JSON_LEVEL_REGEX }),
      stage("template", { source: "level", template: LEVEL_TEMPLATE }),
      stage("labels", { values: { level: "" } }),
      stage("structured_metadata", { values: { trace_id: "", span_id: "" } }),
      ...(config.logs.maskIpAddresses
        ? [stage("replace", { expression: IP_ADDRESS_REGEX, replace: IP_MASK })]
        : []),
    ],
  };
}

/** The Alloy configuration of the log agent, in either collection mode. */
export function alloyConfig(config: LogsSettings): string {
  return renderAlloy([...discovery(config), ...sources(config), processing(config), lokiWrite(config)]);
}
