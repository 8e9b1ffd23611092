import { z } from "zod";
import type { GivenWhole } from "../argsOf";
import { PLACED_WORKLOADS, PlacedWorkloadName } from "../components";
import { Identity, dnsLabel, dnsSubdomain, fromCliText, named, strict } from "../fields";

/** A label key or taint key: `name` or `prefix/name`, as in `node.kubernetes.io/instance-type`. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a label key such as workload or node.kubernetes.io/instance-type",
  );

const labelValue = z
  .string()
  .regex(
    /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
    "must be a label value (letters, digits, '-', '_' and '.', at most 63 characters)",
  );

/** In/NotIn need values, Exists/DoesNotExist take none, Gt/Lt one integer (node selectors only). */
function requirementProblem(operator: string, values: readonly string[]): string | undefined {
  if ((operator === "In" || operator === "NotIn") && values.length === 0) {
    return `must list values for operator ${operator}`;
  }
  if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
    return `must be empty for operator ${operator}`;
  }
  if ((operator === "Gt" || operator === "Lt") && !(values.length === 1 && /^-?[0-9]+$/.test(values[0]))) {
    return `must be one integer for operator ${operator}`;
  }
  return undefined;
}

function requirement(operators: [string, ...string[]]) {
  return strict({
    key: labelKey,
    operator: z.enum(operators),
    values: z.array(labelValue).optional(),
  }).superRefine((value, ctx) => {
    const problem = requirementProblem(value.operator, value.values ?? []);
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", path: ["values"], message: problem });
    }
  });
}

const weight = fromCliText(
  z
    .number({ invalid_type_error: "must be a whole number between 1 and 100" })
    .int("must be a whole number between 1 and 100")
    .min(1, "must be a whole number between 1 and 100")
    .max(100, "must be a whole number between 1 and 100"),
);

const nodeSelectorRequirement = requirement(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]);
/** A node selector's requirement: a label `key`, an `operator` and its `values` (Kubernetes' own). */
export interface NodeSelectorRequirement extends Identity<z.input<typeof nodeSelectorRequirement>> {}
const nodeSelectorTermSchema = strict({
  matchExpressions: z
    .array(named<NodeSelectorRequirement>()(nodeSelectorRequirement))
    .min(1, "must list at least one expression"),
});
/** Nodes whose labels meet every expression (Kubernetes' NodeSelectorTerm). */
export interface NodeSelectorTerm extends Identity<z.input<typeof nodeSelectorTermSchema>> {}
const nodeSelectorTerm = named<NodeSelectorTerm>()(nodeSelectorTermSchema);
const preferredSchedulingTerm = strict({ weight, preference: nodeSelectorTerm });
/** Nodes the scheduler prefers, with a weight from 1 to 100 (Kubernetes' PreferredSchedulingTerm). */
export interface PreferredSchedulingTerm extends Identity<z.input<typeof preferredSchedulingTerm>> {}

const labelSelectorRequirement = requirement(["In", "NotIn", "Exists", "DoesNotExist"]);
/** A label selector's requirement: a label `key`, an `operator` and its `values` (Kubernetes' own). */
export interface LabelSelectorRequirement extends Identity<z.input<typeof labelSelectorRequirement>> {}
const podAffinityTermSchema = strict({
  labelSelector: strict({
    matchLabels: z.record(labelKey, labelValue).optional(),
    matchExpressions: z.array(named<LabelSelectorRequirement>()(labelSelectorRequirement)).optional(),
  }),
  /** @default the pod's own namespace */
  namespaces: z.array(dnsLabel).optional(),
  topologyKey: labelKey,
});
/** The pods a pod is placed near or away from, per topology domain (Kubernetes' PodAffinityTerm). */
export interface PodAffinityTerm extends Identity<z.input<typeof podAffinityTermSchema>> {}
const podAffinityTerm = named<PodAffinityTerm>()(podAffinityTermSchema);
const weightedPodAffinityTerm = strict({ weight, podAffinityTerm });
/** A preferred PodAffinityTerm, with a weight from 1 to 100 (Kubernetes' WeightedPodAffinityTerm). */
export interface WeightedPodAffinityTerm extends Identity<z.input<typeof weightedPodAffinityTerm>> {}

const podAffinity = strict({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(named<WeightedPodAffinityTerm>()(weightedPodAffinityTerm))
    .optional(),
});

const tolerationSchema = strict({
  /** Empty with operator Exists: every taint. */
  key: labelKey.optional(),
  /** @default "Equal" */
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: labelValue.optional(),
  /** Empty: every effect. */
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: fromCliText(
    z
      .number({ invalid_type_error: "must be a whole number of seconds" })
      .int("must be a whole number of seconds")
      .min(0, "must be a whole number of seconds"),
  ).optional(),
}).superRefine((value, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (value.operator === "Exists" && (value.value ?? "") !== "") {
    issue("value", "must be empty when operator is Exists");
  }
  if (value.key === undefined && value.operator !== "Exists") {
    issue("operator", "must be Exists when no key is given (a toleration of every taint)");
  }
  if (value.tolerationSeconds !== undefined && value.effect !== "NoExecute") {
    issue("tolerationSeconds", "is only allowed with effect NoExecute");
  }
});

/** A taint the pods tolerate (Kubernetes' Toleration). */
export interface Toleration extends Identity<z.input<typeof tolerationSchema>> {}
const toleration = named<Toleration>()(tolerationSchema);

/** Where a workload's pods may run. The stack's own spread of replicas is kept beside it. */
const placementSpecSchema = strict({
  nodeSelector: z
    .record(labelKey, labelValue)
    .optional()
    .describe("Node labels the pods require; a workload's merge over placement.default's."),
  tolerations: z.array(toleration).optional().describe("Taints the pods tolerate (Kubernetes' own shape)."),
  affinity: strict({
    nodeAffinity: strict({
      requiredDuringSchedulingIgnoredDuringExecution: strict({
        nodeSelectorTerms: z.array(nodeSelectorTerm).min(1, "must list at least one term"),
      }).optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z
        .array(named<PreferredSchedulingTerm>()(preferredSchedulingTerm))
        .optional(),
    }).optional(),
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
  })
    .optional()
    .describe(
      "Kubernetes' own affinity: nodeAffinity, podAffinity, podAntiAffinity; the stack's own spread is kept beside it.",
    ),
  priorityClassName: dnsSubdomain
    .optional()
    .describe("An existing PriorityClass (system-cluster-critical, or one the platform team created)."),
});

/**
 * Where a workload's pods may run (`placement.<workload>`, over `placement.default`): Kubernetes' own
 * node selector, tolerations and affinity, and a priority class.
 */
export interface WorkloadPlacement extends Identity<z.input<typeof placementSpecSchema>>, GivenWhole {}
/** A workload's placement, validated. */
export interface WorkloadPlacementConfig extends Identity<z.output<typeof placementSpecSchema>> {}
const placementSpec = named<WorkloadPlacement, WorkloadPlacementConfig>()(placementSpecSchema);

/** `placement.default` for every workload, `placement.<workload>` over it. */
const placement = strict({
  default: placementSpec,
  ...(Object.fromEntries(PLACED_WORKLOADS.map((w) => [w, placementSpec.optional()])) as Record<
    PlacedWorkloadName,
    z.ZodOptional<typeof placementSpec>
  >),
});

const placementSectionSchema = placement.describe(
  "Where pods run: placement.default for every workload, placement.<workload> over it.",
);

/** The schema of the `placement` section, by name (see Identity). */
export interface PlacementSectionSchema extends Identity<typeof placementSectionSchema> {}
export const placementSection: PlacementSectionSchema = placementSectionSchema;
