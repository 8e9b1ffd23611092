import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { COMPONENTS, ComponentName, WORKLOADS, WorkloadName } from "./components";
import { cidrProblem } from "./cidr";
import { parseQuantity } from "./quantity";
import { CONFIG_NAMESPACE, keyPath } from "./errors";
import { anchoredRe2Problem, re2Problem } from "./promql/re2";
import type { ArgsOf, GivenWhole } from "./argsOf";

// The field types that more than one section of the stack config (config/sections/) uses.

/**
 * `schema`, typed so that what a program gives for it (`Input`) and what it is once validated
 * (`Output`) are the interfaces named, not spelt out where the schema is used: a list's items, a
 * record's values. The API reference and the declarations then name them.
 */
export const named =
  <Input, Output = never>() =>
  <S extends z.ZodTypeAny>(schema: S) =>
    schema as unknown as z.ZodType<[Output] extends [never] ? z.output<S> : Output, z.ZodTypeDef, Input>;

/**
 * `pulumi config set --path` stores every value but integers and booleans as text (`0.25`), and
 * top-level values always: a numeric key takes a number or the text of one.
 */
export function fromCliText<T extends z.ZodTypeAny>(schema: T) {
  // Typed as what it takes, a number or its text, where zod would say `unknown`: a program's args are typed by it.
  return z.preprocess(
    (value) =>
      typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))
        ? Number(value)
        : value,
    schema,
  ) as unknown as z.ZodEffects<T, z.output<T>, z.input<T> | string>;
}

// Messages are phrased to follow the key path: "<key> must be ...". The formatter appends "(got …)".

export const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)",
  );

/** A Prometheus/Go duration: 10s, 5m, 1h30m, 7d. */
export const duration = z
  .string()
  .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, "must be a duration such as 30s, 5m, 24h or 7d");

/**
 * A Kubernetes resource quantity: 100m, 0.5, 256Mi, 10Gi. Whole cores may be a number, as
 * Kubernetes takes them and `pulumi config set --path` stores them (`cpu: 1`).
 */
const quantityText = z
  .string()
  .regex(
    /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
    "must be a Kubernetes quantity such as 100m, 256Mi or 10Gi",
  );
export const quantity = z.preprocess(
  (value) => (typeof value === "number" ? String(value) : value),
  quantityText,
) as unknown as z.ZodEffects<typeof quantityText, string, string | number>;

export const port = fromCliText(
  z
    .number({ invalid_type_error: "must be a port number between 1 and 65535" })
    .int("must be a port number between 1 and 65535")
    .min(1, "must be a port number between 1 and 65535")
    .max(65535, "must be a port number between 1 and 65535"),
);

export const positiveWholeNumber = fromCliText(
  z
    .number({ invalid_type_error: "must be a whole number above 0" })
    .int("must be a whole number above 0")
    .positive("must be a whole number above 0"),
);

const SCRAPE_LIMIT = "must be a whole number above 0 (Prometheus reads 0 as no limit at all)";

/**
 * A per-target limit of a scrape job (sample_limit, label_limit). 0 is refused: Prometheus reads it
 * as no limit, the one value the guard exists to rule out, and the limit alerts compare with it.
 */
export const scrapeLimit = fromCliText(
  z.number({ invalid_type_error: SCRAPE_LIMIT }).int(SCRAPE_LIMIT).positive(SCRAPE_LIMIT),
);

export const replicas = (max: number) =>
  fromCliText(
    z
      .number({ invalid_type_error: `must be a whole number between 1 and ${max}` })
      .int(`must be a whole number between 1 and ${max}`)
      .min(1, `must be a whole number between 1 and ${max}`)
      .max(max, `must be a whole number between 1 and ${max}`),
  );

export const nonEmpty = z.string().min(1, "must not be empty");

/**
 * A regular expression `server` compiles with Go's regexp (RE2); `anchor`: it compiles it wrapped
 * in `^(?:…)$`, as Prometheus does.
 */
export const re2Regex = (server: string, anchor: boolean) =>
  z.string().superRefine((pattern, ctx) => {
    const problem = anchor ? anchoredRe2Problem(pattern) : re2Problem(pattern);
    if (problem !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must be a regular expression in RE2 syntax, as ${server} compiles it (no lookaround or backreferences): ${problem}`,
      });
    }
  });

export const httpsUrl = z
  .string()
  .url("must be a URL")
  .refine((u) => u.startsWith("https://"), "must be an https:// URL");

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, "must be an AWS region such as eu-west-1");

export const s3Bucket = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lowercase characters)");

/** A CA or serving certificate in PEM form, as TLS clients are given them. */
export const pemCertificate = z
  .string()
  .startsWith("-----BEGIN CERTIFICATE-----", "must be a PEM certificate");

export const iamRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\/-]+$/,
    "must be an IAM role ARN such as arn:aws:iam::123456789012:role/name",
  );

/** Pinned: an explicit tag other than "latest", or a digest. */
export const pinnedImage = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9._\/-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    "must be an image reference such as registry/name:tag",
  )
  .refine((ref) => /@sha256:/.test(ref) || /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(ref.split("/").pop() ?? ""), {
    message: "must be pinned with an explicit tag or digest",
  })
  .refine((ref) => !/:latest(@|$)/.test(ref), { message: "must not use the floating tag 'latest'" })
  .describe("The image, pinned by a tag other than latest or by a digest.");

/**
 * A credential as validated: plain text that config/load.ts wraps as a Pulumi secret before any
 * component sees it (StackConfig types it as an Output), so it stays secret end to end. The brand
 * is visible in the schema too, so a test holds the list of secret paths to it.
 */
export type Secret = string & z.BRAND<"Secret">;

/** A value a program gives from another resource: a Pulumi Output, or a promise of the value. */
export const pulumiOutput = z.custom<pulumi.Output<string> | Promise<string>>(
  (value) => pulumi.Output.isInstance(value) || value instanceof Promise,
  "must be a Pulumi Output",
);

/**
 * `schema`'s value, or, from a program, an Output (or promise) of one (a stack file holds only
 * values): an Output is checked against `schema` once it is known, and a value it refuses fails
 * the deployment there, naming the arg. Only a program's args hold Outputs.
 */
export const orOutput = <T extends z.ZodTypeAny>(schema: T) =>
  z.union([
    schema,
    pulumiOutput.transform((value, ctx) => {
      const arg = `args.${keyPath(ctx.path).slice(CONFIG_NAMESPACE.length + 1)}`;
      return pulumi.output(value).apply((known) => {
        const checked = schema.safeParse(known);
        if (!checked.success) {
          throw new Error(`${arg} ${checked.error.issues[0].message}; it was an Output, checked once known`);
        }
        return known;
      });
    }),
  ]);

/**
 * A value orOutput took, where it must be text: read from a stack file (which holds no Outputs) or
 * rendered from one. `key` names it in the error otherwise.
 */
export function knownText(value: pulumi.Input<string>, key: string): string {
  if (typeof value !== "string") {
    throw new Error(`${key} is a Pulumi Output here, where only a stack file's text can be`);
  }
  return value;
}

/** Whether a schema is one orOutput made: its value, or an Output of one. */
export const takesOutput = (schema: z.ZodTypeAny): schema is z.ZodUnion<[z.ZodTypeAny, z.ZodTypeAny]> =>
  schema instanceof z.ZodUnion &&
  (schema.options as z.ZodTypeAny[])[1] instanceof z.ZodEffects &&
  ((schema.options as z.ZodTypeAny[])[1] as z.ZodEffects<z.ZodTypeAny>).innerType() === pulumiOutput;

export const secretString = orOutput(nonEmpty.brand<"Secret">());

export const hostPort = (example: string) =>
  z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, `must be host:port such as ${example}`);

export const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

// Ephemeral storage: the container's logs and writable scratch directories (emptyDirs), which the
// kubelet counts against it; a container over its limit is evicted instead of filling the node.
const resourceList = strict({
  cpu: quantity.describe("CPU."),
  memory: quantity.describe("Memory."),
  ephemeralStorage: quantity.describe("The container's logs and scratch directories."),
});
// Each container's Go runtime gets a share of its memory limit as GOMEMLIMIT: below 16Mi it would
// collect garbage almost constantly, and the collector's memory_limiter would get a hard limit of 0 or 1 MiB.
const MIN_MEMORY_LIMIT = "16Mi";
const resourceRequirementsSchema = strict({
  requests: resourceList.describe("What the scheduler reserves."),
  limits: resourceList.describe("Where the container is throttled, killed or evicted."),
}).superRefine((value, ctx) => {
  const { requests, limits } = value;
  for (const resource of ["cpu", "memory", "ephemeralStorage"] as const) {
    // Refinements also see values whose fields failed; those are reported already.
    if (![requests[resource], limits[resource]].every((q) => quantity.safeParse(q).success)) {
      continue;
    }
    const message =
      resource === "memory" && parseQuantity(limits.memory) < parseQuantity(MIN_MEMORY_LIMIT)
        ? `must be at least ${MIN_MEMORY_LIMIT}: the Go runtime gets a share of it as GOMEMLIMIT`
        : parseQuantity(limits[resource]) < parseQuantity(requests[resource])
          ? `must be at least requests.${resource} (${requests[resource]}): Kubernetes refuses a limit below the request`
          : undefined;
    if (message !== undefined) {
      ctx.addIssue({ code: "custom", path: ["limits", resource], message });
    }
  }
});

/**
 * A container's requests and limits (`resources.<workload>`), each key defaulting to the profile's
 * sizes: CPU, memory and ephemeral storage as Kubernetes quantities.
 */
export interface ContainerResources extends ArgsOf<z.input<typeof resourceRequirementsSchema>>, GivenWhole {}
/** A container's requests and limits, validated. */
export interface ContainerResourcesConfig extends Identity<z.output<typeof resourceRequirementsSchema>> {}
export const resourceRequirements = named<ContainerResources, ContainerResourcesConfig>()(
  resourceRequirementsSchema,
);

export const byComponent = <T extends z.ZodTypeAny>(value: T) =>
  strict(Object.fromEntries(COMPONENTS.map((c) => [c, value])) as Record<ComponentName, T>);
export const byWorkload = <T extends z.ZodTypeAny>(value: T) =>
  strict(Object.fromEntries(WORKLOADS.map((w) => [w, value])) as Record<WorkloadName, T>);

export const positiveSeconds = fromCliText(
  z
    .number({ invalid_type_error: "must be a number of seconds above 0" })
    .positive("must be a number of seconds above 0"),
);

/** An objective such as 0.995: above 0.9 (looser is not an SLO) and below 1 (no error budget). */
export const objective = fromCliText(
  z
    .number({ invalid_type_error: "must be a ratio such as 0.995" })
    .min(0.9, "must be between 0.9 and 0.9999")
    .max(0.9999, "must be between 0.9 and 0.9999"),
);

/**
 * An alert name as Prometheus 3 takes it, any text (SLOBurnFast, payment-availability), but for what
 * would break out of the quoted matchers Alertmanager's routes and inhibitions select it by.
 */
export const alertName = z
  .string()
  .regex(/^[^"\\\n]+$/, "must be an alert name: any text without quotes, backslashes or line breaks");

/** Alerts of the stack's own rules switched off by name (`metrics.alerts.disabled`, `logs.alerts.disabled`). */
export const disabledAlerts = (server: string) =>
  z
    .array(alertName)
    .superRefine((names, ctx) =>
      reportDuplicates(
        names.map((name, i) => [i, name] as const),
        [],
        ctx,
      ),
    )
    .describe(
      `Alerts of the stack's own ${server} rules left out, by name; a name the rules do not hold is refused. npm run review lists what each edit switches off.`,
    );

const alertOverride = {
  for: duration.optional().describe("How long the condition holds before the alert fires."),
  severity: nonEmpty
    .optional()
    .describe(
      "The alert's severity label, which a route must read (alerting.routes, alerting.otherSeverities).",
    ),
};

/** Another `for` or severity for alerts of the stack's own rules, by name (`<section>.alerts.overrides`). */
export const alertOverrides = (server: string) =>
  z
    .record(
      alertName,
      strict(alertOverride).describe("What changes for the alert the key names: every rule of that name."),
    )
    .describe(
      `Another for or severity for alerts of the stack's own ${server} rules, by alert name; a name the rules do not hold is refused. For another threshold, switch the alert off and give your own.`,
    );

/**
 * Another `for`, severity or threshold for alerts of the stack's own PromQL rules, by name
 * (`metrics.alerts.overrides`).
 */
export const promqlAlertOverrides = z
  .record(
    alertName,
    strict({
      ...alertOverride,
      threshold: fromCliText(z.number({ invalid_type_error: "must be a number" }))
        .optional()
        .describe(
          "The number the alert's expression compares with (… > 0.9); only for alerts whose expression has exactly one such comparison.",
        ),
    }).describe("What changes for the alert the key names: every rule of that name."),
  )
  .describe(
    "Another for, severity or threshold for alerts of the stack's own Prometheus rules, by alert name; a name the rules do not hold is refused. For another expression, switch the alert off and give your own.",
  );

/** A Prometheus label name, as relabel rules write and routes group by. */
export const labelName = z
  .string()
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
    "must be a label name (letters, digits and '_', not starting with a digit)",
  );

// Placement and image supply: Kubernetes' own shapes, validated as the API server would, so that a
// mistake is named with its key before anything is applied.

/** A Kubernetes object name such as a Secret's or a PriorityClass's. */
export const dnsSubdomain = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')",
  );

/** Flags every entry whose value an earlier entry already has; entries are [key or index, value]. */
export function reportDuplicates(
  entries: readonly (readonly [string | number, string])[],
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    if (seen.has(value)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, key],
        message: `must be unique: ${value} appears more than once`,
      });
    }
    seen.add(value);
  }
}

/** A type as it is, for an interface that gives a schema's type a name (`interface X extends Identity<typeof x> {}`). */
export type Identity<T> = T;

/** A network as a NetworkPolicy's ipBlock takes it (config/cidr.ts). */
export const cidr = z.string().superRefine((value, ctx) => {
  const problem = cidrProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});
