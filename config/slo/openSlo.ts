import { z } from "zod";
import { CalendarPeriod, ComplianceWindow, calendarAnchor, knownTimeZone } from "./calendarWindows";
import { complianceWindow, sloObjective } from "./sloSpec";
import { sliQueryForm, sliQueryProblem, summedBy } from "./sliQueries";
import {
  DocumentProblem,
  FieldPlaces,
  SloDocument,
  TranslatedSlo,
  documentPlace,
  engineChecked,
  issueProblems,
  sloDocumentFiles,
} from "./sloDocuments";

// OpenSLO v1 (github.com/OpenSLO/OpenSLO, the spec's README and its Go SDK's types): every kind of
// document, in files of several documents or of YAML lists, references resolved across all the
// files of metrics.openSloFiles, and each SLO translated to a metrics.slos entry. What Prometheus
// rules cannot mean is refused with the reason and the nearest form they can: calendar windows
// other than weeks, months and quarters, composite SLOs, sources that are no Prometheus. A field the spec does not define is an
// error, as the SDK's decoder makes it.

const API_VERSION = "openslo/v1";
const KINDS = [
  "SLO",
  "SLI",
  "DataSource",
  "Service",
  "AlertPolicy",
  "AlertCondition",
  "AlertNotificationTarget",
] as const;
type Kind = (typeof KINDS)[number];

const UNKNOWN_FIELD = "is not a field of OpenSLO v1";

const text = z.string({ invalid_type_error: "must be text" });
const description = text.max(1050, "must be at most 1050 characters").optional();
const number = z.number({ invalid_type_error: "must be a number" });

/** An object name as the spec requires it: an RFC 1123 label. */
const objectName = text.regex(
  /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be an RFC 1123 label (lowercase letters, digits and '-', at most 63 characters), as OpenSLO requires",
);

const metadata = z
  .object({
    name: objectName,
    displayName: text.optional(),
    labels: z.record(z.union([text, z.array(text)])).optional(),
    annotations: z.record(text).optional(),
  })
  .strict();

/** The spec's duration shorthand: a whole number and a unit (12h, 4w, 1M, 1Q, 1Y). */
const SHORTHAND = /^([0-9]+)([mhdwMQY])$/;
const shorthand = text.regex(
  SHORTHAND,
  "must be a duration shorthand such as 5m, 28d or 4w (a number and m, h, d, w, M, Q or Y)",
);

/** Days of the units Prometheus has no name for, as the OpenSLO Go SDK counts them. */
const DAYS_OF = { M: 30, Q: 90, Y: 365 } as const;

/** A duration shorthand as Prometheus writes it: 4w stays, 1M is 30d, 48h is 2d. */
function prometheusDuration(value: string | number): string {
  if (typeof value === "number") {
    // timeSliceWindow may be a bare number of minutes.
    return `${value}m`;
  }
  const [, count, unit] = SHORTHAND.exec(value)!;
  if (unit in DAYS_OF) {
    return `${Number(count) * DAYS_OF[unit as keyof typeof DAYS_OF]}d`;
  }
  const hours = unit === "h" ? Number(count) : unit === "m" ? Number(count) / 60 : undefined;
  return hours !== undefined && hours >= 24 && hours % 24 === 0 ? `${hours / 24}d` : value;
}

/** Sources that answer PromQL but are not the stack's Prometheus (lower case). */
const PROMQL_SOURCES = ["amazonprometheus", "mimir", "thanos", "cortex", "victoriametrics", "grafanacloud"];

/** Why a metric source's type is none the stack can read, with what to write instead. */
const notPrometheus = (type: string) =>
  `must be Prometheus (any case), not ${type}: the stack evaluates SLOs as rules of its own Prometheus, ${
    PROMQL_SOURCES.includes(type.toLowerCase())
      ? "not in another store; if it scrapes these metrics too, say type: Prometheus"
      : "in PromQL; write the SLI over metrics that Prometheus scrapes"
  }`;

const isPrometheus = (type: string) => type.toLowerCase() === "prometheus";

/** The keys a Prometheus source's spec may hold its query under: OpenSLO's examples' and Nobl9's. */
const QUERY_KEYS = ["query", "promql"] as const;

/** The labels a source's SLI is counted per (`dimensions: [route]`): a label name each. */
const dimensions = z
  .array(
    z
      .string({ invalid_type_error: "must be a label name" })
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a label name"),
    { invalid_type_error: "must be a list of label names" },
  )
  .min(1, "must name at least one label");

const metricSource = z
  .object({
    metricSourceRef: objectName.optional(),
    type: text.optional(),
    spec: z.record(z.unknown(), { required_error: "is required", invalid_type_error: "must be a mapping" }),
  })
  .strict()
  .superRefine((source, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (source.type !== undefined && !isPrometheus(source.type)) {
      issue(["type"], notPrometheus(source.type));
      return;
    }
    if (source.type === undefined && source.metricSourceRef === undefined) {
      issue(["type"], "is required when no metricSourceRef names a DataSource");
    }
    const given = QUERY_KEYS.filter((key) => source.spec[key] !== undefined);
    if (given.length !== 1) {
      issue(
        ["spec", "query"],
        given.length === 0 ? "is required (a PromQL query)" : "must be given once: query or promql, not both",
      );
    }
    for (const key of Object.keys(source.spec).filter(
      (k) => !(QUERY_KEYS as readonly string[]).includes(k) && k !== "dimensions",
    )) {
      issue(
        ["spec", key],
        "is not read: a Prometheus source's spec holds its query (query, or promql) and its dimensions",
      );
    }
    const labels =
      source.spec.dimensions === undefined ? undefined : dimensions.safeParse(source.spec.dimensions);
    labels?.error?.issues.forEach((i) => issue(["spec", "dimensions", ...i.path], i.message));
    for (const key of given) {
      const query = source.spec[key];
      const problem = typeof query === "string" ? sliQueryProblem(query) : "must be text (a PromQL query)";
      if (problem !== undefined) {
        issue(["spec", key], problem);
      } else if (labels?.success === true && summedBy(query as string, labels.data) === undefined) {
        issue(
          ["spec", key],
          `must sum by the source's dimensions (${labels.data.join(", ")}), each of its aggregations: the SLI is counted per ${labels.data.join(", ")} (write sum by (${labels.data.join(", ")}) (…), or a selector, which the stack sums so)`,
        );
      }
    }
  });

/** A source's query, summed by its dimensions when it has them (the schema has checked it can be). */
function sourceQuery(source: MetricSource): string {
  const query = (typeof source.spec.query === "string" ? source.spec.query : source.spec.promql) as string;
  const labels = source.spec.dimensions as string[] | undefined;
  return labels === undefined ? query : summedBy(query, labels)!;
}
type MetricSource = z.output<typeof metricSource>;

const metric = z.object({ metricSource }).strict();

const ratioMetric = z
  .object({
    counter: z.boolean({ invalid_type_error: "must be true or false" }).optional(),
    good: metric.optional(),
    bad: metric.optional(),
    total: metric.optional(),
    rawType: z.enum(["success", "failure"]).optional(),
    raw: metric.optional(),
  })
  .strict()
  .superRefine((ratio, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (ratio.raw !== undefined) {
      for (const key of ["good", "bad", "total"] as const) {
        if (ratio[key] !== undefined) issue(key, "must not be given with raw");
      }
      if (ratio.rawType === undefined) issue("rawType", "is required with raw (success or failure)");
      return;
    }
    if (ratio.rawType !== undefined) issue("rawType", "is only for raw");
    if (ratio.total === undefined) issue("total", "is required (with good or bad), or give raw and rawType");
    if ((ratio.good === undefined) === (ratio.bad === undefined)) {
      issue("good", "must be given, or bad instead: exactly one of them");
    }
  });

const sliSpec = z
  .object({ description, thresholdMetric: metric.optional(), ratioMetric: ratioMetric.optional() })
  .strict()
  .superRefine((spec, ctx) => {
    if ((spec.thresholdMetric === undefined) === (spec.ratioMetric === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["ratioMetric"],
        message: "must be given, or thresholdMetric instead: exactly one of them",
      });
    }
  });
type SliSpec = z.output<typeof sliSpec>;

const inlineIndicator = z.object({ metadata, spec: sliSpec }).strict();

const RATIO_OBJECTIVE = "is for a thresholdMetric: a ratioMetric's objective is its target alone";

/** Composite SLOs, refused where they begin. */
const COMPOSITE =
  "is for a composite SLO, which the stack does not build: it budgets each SLO alone. Write one SLO document per indicator (each gets its own page and ticket)";

const objective = z
  .object({
    displayName: text.optional(),
    op: z.enum(["lt", "lte", "gt", "gte"]).optional(),
    value: number.optional(),
    target: number.optional(),
    targetPercent: number.optional(),
    timeSliceTarget: number.optional(),
    timeSliceWindow: z.union([shorthand, number]).optional(),
    indicator: z.unknown().optional(),
    indicatorRef: z.unknown().optional(),
    compositeWeight: z.unknown().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const key of ["indicator", "indicatorRef", "compositeWeight"] as const) {
      if (o[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: COMPOSITE });
    }
    if ((o.target === undefined) === (o.targetPercent === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["target"],
        message: "must be given, or targetPercent instead: exactly one of them",
      });
    }
    // The engine's bounds, checked here too so that they are reported with the document's other problems.
    const [key, ratio] =
      o.target !== undefined ? ["target", o.target] : ["targetPercent", (o.targetPercent ?? 99) / 100];
    const objectiveProblem = sloObjective.safeParse(ratio).error?.issues[0]?.message;
    if (objectiveProblem !== undefined) {
      const message =
        key === "target"
          ? objectiveProblem
          : objectiveProblem.replace(
              "a ratio above 0.9 and below 1, such as 0.995",
              "a percentage above 90 and below 100, such as 99.5",
            );
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `${message} (got ${JSON.stringify(o[key as "target"])})`,
      });
    }
  });

/** The calendar periods of OpenSLO durations the stack counts. */
const CALENDAR_DURATIONS: Readonly<Record<string, CalendarPeriod>> = {
  "1w": "week",
  "1M": "month",
  "1Q": "quarter",
};

const timeWindow = z
  .object({
    duration: shorthand,
    isRolling: z.boolean({ invalid_type_error: "must be true or false" }).optional(),
    calendar: z.object({ startTime: text, timeZone: text }).strict().optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    // A duration that is no shorthand is refused by its own rule; nothing more can be said of it.
    if (!SHORTHAND.test(w.duration)) return;
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (w.calendar === undefined) {
      const windowProblem = complianceWindow.safeParse(prometheusDuration(w.duration)).error?.issues[0]
        ?.message;
      if (windowProblem !== undefined) issue("duration", `${windowProblem} (got ${w.duration})`);
      if (w.isRolling === false) {
        issue(
          "isRolling",
          "is false without a calendar: give calendar (startTime, timeZone), or isRolling: true",
        );
      }
      return;
    }
    if (w.isRolling === true) {
      issue(
        "isRolling",
        "must not be true beside a calendar: a calendar window starts again with each period",
      );
    }
    const period = CALENDAR_DURATIONS[w.duration];
    if (period === undefined) {
      issue(
        "duration",
        `must be 1w, 1M or 1Q with a calendar: the stack counts calendar weeks, months and quarters (got ${w.duration})`,
      );
      return;
    }
    if (!knownTimeZone(w.calendar.timeZone)) {
      issue(
        "calendar",
        `timeZone must be an IANA time zone such as Europe/Berlin or UTC (got ${w.calendar.timeZone})`,
      );
    }
    const anchor = calendarAnchor(period, w.calendar.startTime);
    if ("problem" in anchor) {
      issue("calendar", `startTime ${anchor.problem} (got ${w.calendar.startTime})`);
    }
  });

/** The window of metrics.slos an accepted OpenSLO time window is. */
const complianceWindowOf = (w: z.output<typeof timeWindow>): ComplianceWindow =>
  w.calendar === undefined
    ? prometheusDuration(w.duration)
    : {
        calendar: CALENDAR_DURATIONS[w.duration],
        timeZone: w.calendar.timeZone,
        startTime: w.calendar.startTime,
      };

/** A reference to a document of another kind, or the document itself inline: dispatched on the key a reference has. */
function refOrInline<T extends z.ZodTypeAny>(refKey: string, inline: T) {
  const ref = z.object({ [refKey]: objectName }).strict();
  return z.unknown().transform((value, ctx): { ref: string } | { inline: z.output<T> } => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      ctx.addIssue({
        code: "custom",
        message: `must be a mapping: {${refKey}: <name>}, or the document inline`,
      });
      return z.NEVER;
    }
    const isRef = refKey in value;
    const parsed = (isRef ? ref : inline).safeParse(value);
    if (!parsed.success) {
      parsed.error.issues.forEach((issue) => ctx.addIssue(issue));
      return z.NEVER;
    }
    return isRef
      ? { ref: (parsed.data as Record<string, string>)[refKey] }
      : { inline: parsed.data as z.output<T> };
  });
}

const alertConditionSpec = z
  .object({
    description,
    severity: text,
    condition: z
      .object({
        kind: z
          .literal("burnrate", {
            errorMap: () => ({ message: "must be burnrate, the only kind OpenSLO v1 defines" }),
          })
          .optional(),
        op: z.enum(["lt", "lte", "gt", "gte"]),
        threshold: number.positive("must be a burn rate above 0"),
        lookbackWindow: shorthand,
        alertAfter: shorthand.optional(),
      })
      .strict()
      .superRefine((c, ctx) => {
        if (c.op === "lt" || c.op === "lte") {
          ctx.addIssue({
            code: "custom",
            path: ["op"],
            message: `must be gt or gte: a burn-rate alert fires while the budget burns faster than the threshold; ${c.op} would fire while it burns slowly, which is nearly always`,
          });
        }
      }),
  })
  .strict();
type AlertConditionSpec = z.output<typeof alertConditionSpec>;

/**
 * OpenSLO's words for a page and a ticket (its examples' `severity: page`) as the severities the
 * platform routes them by; any other severity is the alert's as written, routed as alerting says.
 */
const SEVERITY_WORDS: Readonly<Record<string, string>> = {
  page: "critical",
  critical: "critical",
  ticket: "warning",
  warning: "warning",
};
const severityOf = (written: string) => SEVERITY_WORDS[written.toLowerCase()] ?? written;

const alertNotificationTargetSpec = z.object({ description, target: text }).strict();

const inlineKind = (kind: Kind) => z.literal(kind, { errorMap: () => ({ message: `must be ${kind}` }) });

const alertPolicySpec = z
  .object({
    description,
    alertWhenNoData: z.boolean().optional(),
    alertWhenResolved: z.boolean().optional(),
    alertWhenBreaching: z.boolean().optional(),
    conditions: z.array(
      refOrInline(
        "conditionRef",
        z.object({ kind: inlineKind("AlertCondition"), metadata, spec: alertConditionSpec }).strict(),
      ),
    ),
    notificationTargets: z
      .array(
        refOrInline(
          "targetRef",
          z
            .object({
              kind: inlineKind("AlertNotificationTarget"),
              metadata,
              spec: alertNotificationTargetSpec,
            })
            .strict(),
        ),
      )
      .min(1, "must name at least one target"),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.alertWhenBreaching === false) {
      ctx.addIssue({
        code: "custom",
        path: ["alertWhenBreaching"],
        message:
          "is false, so the policy has no alert rule: the stack alerts while the condition breaches; remove the policy or set true",
      });
    }
    if (policy.conditions.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["conditions"],
        message: "must hold one condition, as OpenSLO v1 allows: write one AlertPolicy per condition",
      });
    }
  });
type AlertPolicySpec = z.output<typeof alertPolicySpec>;

const sloSpecSchema = z
  .object({
    description,
    service: text,
    indicator: inlineIndicator.optional(),
    indicatorRef: objectName.optional(),
    timeWindow: z.array(timeWindow).optional(),
    budgetingMethod: z.enum(["Occurrences", "Timeslices", "RatioTimeslices"]),
    objectives: z.array(objective).min(1, "must hold an objective"),
    alertPolicies: z
      .array(
        refOrInline(
          "alertPolicyRef",
          z.object({ kind: inlineKind("AlertPolicy"), metadata, spec: alertPolicySpec }).strict(),
        ),
      )
      .nullable()
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const composite = spec.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined);
    if (!composite && (spec.indicator === undefined) === (spec.indicatorRef === undefined)) {
      issue(["indicator"], "must be given, or indicatorRef instead: exactly one of them");
    }
    if (spec.timeWindow === undefined) {
      issue(
        ["timeWindow"],
        "is required: the stack counts the error budget over a rolling window (- duration: 28d, isRolling: true)",
      );
    } else if (spec.timeWindow.length !== 1) {
      issue(["timeWindow"], "must hold exactly one window");
    }
    spec.objectives
      .slice(1)
      .forEach((_, i) =>
        issue(
          ["objectives", i + 1],
          "is a second objective: the stack gives an SLO one objective, its series and alerts named after it. Write another SLO document for this one",
        ),
      );
    const [first] = spec.objectives;
    // Said here for an inline indicator, so that it comes with the document's other problems, as oslo says it.
    if (
      spec.indicator?.spec.ratioMetric !== undefined &&
      (first.op !== undefined || first.value !== undefined)
    ) {
      issue(["objectives", 0, first.op !== undefined ? "op" : "value"], RATIO_OBJECTIVE);
    }
    const method = spec.budgetingMethod;
    if (method === "Timeslices" && first.timeSliceTarget === undefined) {
      issue(
        ["objectives", 0, "timeSliceTarget"],
        "is required for Timeslices: the share of a slice that must be good",
      );
    }
    if (method !== "Timeslices" && first.timeSliceTarget !== undefined) {
      issue(["objectives", 0, "timeSliceTarget"], "is only for Timeslices");
    }
    if (method !== "Occurrences" && first.timeSliceWindow === undefined) {
      issue(["objectives", 0, "timeSliceWindow"], `is required for ${method}: a slice's length, e.g. 1m`);
    }
    if (method === "Occurrences" && first.timeSliceWindow !== undefined) {
      issue(["objectives", 0, "timeSliceWindow"], "is only for Timeslices and RatioTimeslices");
    }
  });
type SloSpecDocument = z.output<typeof sloSpecSchema>;

const SPECS = {
  SLO: sloSpecSchema,
  SLI: sliSpec,
  DataSource: z
    .object({ description, type: text, connectionDetails: z.unknown() })
    .strict()
    .superRefine((spec, ctx) => {
      if (!isPrometheus(spec.type))
        ctx.addIssue({ code: "custom", path: ["type"], message: notPrometheus(spec.type) });
      if (spec.connectionDetails === undefined)
        ctx.addIssue({ code: "custom", path: ["connectionDetails"], message: "is required" });
    }),
  Service: z.object({ description }).strict(),
  AlertPolicy: alertPolicySpec,
  AlertCondition: alertConditionSpec,
  AlertNotificationTarget: alertNotificationTargetSpec,
} as const;

interface Decoded {
  readonly doc: SloDocument;
  readonly kind: Kind;
  readonly name: string;
  readonly spec: unknown;
  readonly place: string;
}

/** A document checked against its kind's schema: decoded, or its problems (it may still have a kind and name). */
function decode(doc: SloDocument): { decoded?: Decoded; kind?: Kind; name?: string; problems: string[] } {
  const value = doc.value as Record<string, unknown> | null;
  const rawName =
    typeof value === "object" && value !== null
      ? (value.metadata as { name?: unknown } | undefined)?.name
      : undefined;
  const name = typeof rawName === "string" ? rawName : undefined;
  const place = documentPlace(doc, name);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      problems: [`${place} must be an OpenSLO document (a mapping with apiVersion, kind, metadata and spec)`],
    };
  }
  const kind = KINDS.find((k) => k === value.kind);
  if (value.apiVersion !== API_VERSION) {
    return {
      kind,
      name,
      problems: [
        `${place} apiVersion must be ${API_VERSION} (got ${JSON.stringify(value.apiVersion)})${
          value.apiVersion === "openslo/v1alpha" || value.apiVersion === "openslo.com/v1"
            ? ": that is another schema (v1alpha's objectives, osko's Kubernetes resources); rewrite it as openslo/v1"
            : ""
        }`,
      ],
    };
  }
  if (kind === undefined) {
    return {
      problems: [`${place} kind must be one of ${KINDS.join(", ")} (got ${JSON.stringify(value.kind)})`],
    };
  }
  const parsed = z
    .object({ apiVersion: z.string(), kind: z.string(), metadata, spec: SPECS[kind] as z.ZodTypeAny })
    .strict()
    .safeParse(value);
  if (!parsed.success) {
    return {
      kind,
      name,
      problems: parsed.error.issues
        .flatMap((i) => issueProblems(i, UNKNOWN_FIELD))
        .map((p) => `${place} ${p}`),
    };
  }
  return {
    decoded: { doc, kind, name: name!, spec: (parsed.data as { spec: unknown }).spec, place },
    kind,
    name,
    problems: [],
  };
}

/** The documents of every file by kind and name; a name given twice to different documents is a problem. */
class Catalogue {
  private readonly byKind = new Map<Kind, Map<string, Decoded>>();
  /** Names of documents that failed their schema: references to them say nothing more. */
  private readonly broken = new Set<string>();
  readonly problems: { doc: SloDocument; message: string }[] = [];

  add(decoded: Decoded): void {
    const names = this.byKind.get(decoded.kind) ?? new Map<string, Decoded>();
    this.byKind.set(decoded.kind, names);
    const earlier = names.get(decoded.name);
    if (earlier === undefined) {
      names.set(decoded.name, decoded);
    } else if (JSON.stringify(earlier.doc.value) !== JSON.stringify(decoded.doc.value)) {
      this.problems.push({
        doc: decoded.doc,
        message: `${decoded.place} metadata.name must be unique among ${decoded.kind} documents: (${earlier.doc.label}) ${earlier.doc.position} has it, with other content`,
      });
    }
  }

  addBroken(kind: Kind, name: string): void {
    this.broken.add(`${kind}/${name}`);
  }

  /** Whether a document of the kind has the name, whether or not it passed its schema. */
  has(kind: Kind, name: string): boolean {
    return this.byKind.get(kind)?.has(name) === true || this.broken.has(`${kind}/${name}`);
  }

  /** The decoded document a reference names, if there is one. */
  find<T>(kind: Kind, name: string): (Decoded & { spec: T }) | undefined {
    return this.byKind.get(kind)?.get(name) as (Decoded & { spec: T }) | undefined;
  }
}

/** A reference in a document: where it is, what kind of document it names, and the name. */
interface Reference {
  readonly path: string;
  readonly kind: Kind;
  readonly name: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const entries = (value: unknown): [number, Record<string, unknown>][] =>
  Array.isArray(value)
    ? value.flatMap((v, i): [number, Record<string, unknown>][] => (isRecord(v) ? [[i, v]] : []))
    : [];

/**
 * Every reference a document makes, read from the document as written, so that a reference to no
 * document is reported beside its document's other problems. A source's DataSource counts only
 * when no type says what the source is.
 */
function references(kind: unknown, spec: unknown): Reference[] {
  if (!isRecord(spec)) return [];
  const sources = (sli: unknown, at: string): Reference[] => {
    if (!isRecord(sli)) return [];
    const ratio = isRecord(sli.ratioMetric) ? sli.ratioMetric : {};
    const metrics: [string, unknown][] = [
      ["thresholdMetric", sli.thresholdMetric],
      ...["good", "bad", "total", "raw"].map((key): [string, unknown] => [`ratioMetric.${key}`, ratio[key]]),
    ];
    return metrics.flatMap(([key, m]) => {
      const source = isRecord(m) && isRecord(m.metricSource) ? m.metricSource : undefined;
      return source?.metricSourceRef !== undefined && source.type === undefined
        ? [
            {
              path: `${at}.${key}.metricSource.metricSourceRef`,
              kind: "DataSource" as const,
              name: source.metricSourceRef,
            },
          ]
        : [];
    });
  };
  const policy = (p: Record<string, unknown>, at: string): Reference[] => [
    ...entries(p.conditions).flatMap(([i, c]) =>
      c.conditionRef === undefined
        ? []
        : [
            {
              path: `${at}.conditions[${i}].conditionRef`,
              kind: "AlertCondition" as const,
              name: c.conditionRef,
            },
          ],
    ),
    ...entries(p.notificationTargets).flatMap(([i, t]) =>
      t.targetRef === undefined
        ? []
        : [
            {
              path: `${at}.notificationTargets[${i}].targetRef`,
              kind: "AlertNotificationTarget" as const,
              name: t.targetRef,
            },
          ],
    ),
  ];
  switch (kind) {
    case "SLO":
      return [
        ...(spec.indicatorRef === undefined
          ? []
          : [{ path: "spec.indicatorRef", kind: "SLI" as const, name: spec.indicatorRef }]),
        ...sources(isRecord(spec.indicator) ? spec.indicator.spec : undefined, "spec.indicator.spec"),
        ...entries(spec.alertPolicies).flatMap(([i, p]) =>
          p.alertPolicyRef !== undefined
            ? [
                {
                  path: `spec.alertPolicies[${i}].alertPolicyRef`,
                  kind: "AlertPolicy" as const,
                  name: p.alertPolicyRef,
                },
              ]
            : isRecord(p.spec)
              ? policy(p.spec, `spec.alertPolicies[${i}].spec`)
              : [],
        ),
      ];
    case "SLI":
      return sources(spec, "spec");
    case "AlertPolicy":
      return policy(spec, "spec");
    default:
      return [];
  }
}

/** What an SLO document says, resolved through its references; or its problems. */
interface Resolved {
  readonly candidate: Record<string, unknown>;
  readonly places: [string, string][];
}

const referencePlace = (d: Decoded) => `${d.kind} ${d.name} ((${d.doc.label}) ${d.doc.position})`;

/** `AlertPolicy` names as alert names: long-duration-advisory-lock → LongDurationAdvisoryLock. */
const alertName = (name: string) =>
  name
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");

/** An SLO's indicator, inline or an SLI document's, and where its spec is as problems name it. */
interface Indicator {
  readonly sli: SliSpec;
  readonly path: string;
}

function indicatorOf(spec: SloSpecDocument, catalogue: Catalogue): Indicator | undefined {
  if (spec.indicator !== undefined) return { sli: spec.indicator.spec, path: "spec.indicator.spec" };
  if (spec.indicatorRef === undefined) return undefined;
  const document = catalogue.find<SliSpec>("SLI", spec.indicatorRef);
  return document === undefined
    ? undefined
    : { sli: document.spec, path: `→ ${referencePlace(document)} spec` };
}

type Objective = SloSpecDocument["objectives"][number];
type Measured = { metricSource: MetricSource };

const queryOf = (metric: Measured) => sourceQuery(metric.metricSource);
const queryKey = (metric: Measured) => (metric.metricSource.spec.query !== undefined ? "query" : "promql");

/**
 * What the objective asks of its indicator, and the indicator of its queries: a threshold's bound
 * given, a referenced ratio's not, a ratio of selectors saying whether they are counters.
 */
function objectiveProblems(
  spec: SloSpecDocument,
  { sli, path }: Indicator,
  objective: Objective,
  problem: (path: string, message: string) => void,
): void {
  const threshold = sli.thresholdMetric !== undefined;
  if (threshold && (objective.op === undefined || objective.value === undefined)) {
    problem(
      "spec.objectives[0]",
      "must give op and value for a thresholdMetric: the bound the SLI must keep",
    );
  }
  if (
    spec.indicatorRef !== undefined &&
    !threshold &&
    (objective.op !== undefined || objective.value !== undefined)
  ) {
    problem(`spec.objectives[0].${objective.op !== undefined ? "op" : "value"}`, RATIO_OBJECTIVE);
  }
  const ratio = sli.ratioMetric;
  if (ratio !== undefined && ratio.raw === undefined && ratio.counter === undefined) {
    const forms = [ratio.good, ratio.bad, ratio.total]
      .filter((metric): metric is Measured => metric !== undefined)
      .map((metric) => sliQueryForm(queryOf(metric)).form);
    if (forms.some((form) => form === "selector" || form === "sum")) {
      problem(
        `${path}.ratioMetric.counter`,
        "is required with selectors: true if they are counters (the stack takes their rate over each window), false if they are gauges (it sums their values)",
      );
    }
  }
}

/** A metrics.slos entry's key and where the document states it. */
type Places = [string, string][];

/**
 * One alert of an SLO's alert policy, inline or an AlertPolicy document, with its one condition
 * and its notification targets; undefined when a reference names no document (reported beside).
 */
function alertOf(
  entry: NonNullable<SloSpecDocument["alertPolicies"]>[number],
  position: number,
  index: number,
  catalogue: Catalogue,
): { alert: Record<string, unknown>; places: Places } | undefined {
  // `at` is where the policy is, `path` where its spec is.
  let policy: { name: string; spec: AlertPolicySpec; at: string; path: string } | undefined;
  if ("ref" in entry) {
    const document = catalogue.find<AlertPolicySpec>("AlertPolicy", entry.ref);
    if (document !== undefined) {
      const at = `→ ${referencePlace(document)}`;
      policy = { name: document.name, spec: document.spec, at, path: `${at} spec` };
    }
  } else {
    const at = `spec.alertPolicies[${position}]`;
    policy = { name: entry.inline.metadata.name, spec: entry.inline.spec, at, path: `${at}.spec` };
  }
  if (policy === undefined || policy.spec.conditions.length !== 1) return undefined;
  const [conditionEntry] = policy.spec.conditions;
  let condition: { spec: AlertConditionSpec; path: string } | undefined;
  if ("ref" in conditionEntry) {
    const document = catalogue.find<AlertConditionSpec>("AlertCondition", conditionEntry.ref);
    if (document !== undefined)
      condition = { spec: document.spec, path: `→ ${referencePlace(document)} spec` };
  } else {
    condition = { spec: conditionEntry.inline.spec, path: `${policy.path}.conditions[0].spec` };
  }
  if (condition === undefined) return undefined;
  const receivers = policy.spec.notificationTargets.map((target) =>
    "ref" in target ? target.ref : target.inline.metadata.name,
  );
  const burn = condition.spec.condition;
  const alert = {
    name: alertName(policy.name),
    severity: severityOf(condition.spec.severity),
    when: [
      {
        burnRate: burn.threshold,
        window: prometheusDuration(burn.lookbackWindow),
        ...(burn.op === "gte" ? { op: "gte" } : {}),
      },
    ],
    ...(burn.alertAfter === undefined || Number(SHORTHAND.exec(burn.alertAfter)![1]) === 0
      ? {}
      : { for: prometheusDuration(burn.alertAfter) }),
    receivers,
  };
  const key = `alerts[${index}]`;
  const conditionAt = `${condition.path}.condition`;
  return {
    alert,
    places: [
      [`${key}.name`, `${policy.at}${policy.at.startsWith("→") ? " " : "."}metadata.name`],
      [`${key}.when[0].window`, `${conditionAt}.lookbackWindow`],
      [`${key}.when[0].burnRate`, `${conditionAt}.threshold`],
      [`${key}.when[0]`, conditionAt],
      [`${key}.for`, `${conditionAt}.alertAfter`],
      [`${key}.receivers`, `${policy.path}.notificationTargets`],
      [key, policy.path],
    ],
  };
}

/** The metrics.slos entry's indicator: a threshold, a raw ratio or a ratio of two queries. */
function indicatorEntry(
  { sli, path }: Indicator,
  objective: Objective,
): { indicator: Record<string, unknown>; places: Places } {
  const metricPlace = (key: string, metric: Measured) =>
    `${path}.${key}.metricSource.spec.${queryKey(metric)}`;
  if (sli.thresholdMetric !== undefined) {
    const bound = { lt: "below", lte: "atMost", gt: "above", gte: "atLeast" }[objective.op!];
    return {
      indicator: { kind: "threshold", expr: queryOf(sli.thresholdMetric), [bound]: objective.value },
      places: [
        ["indicator.expr", metricPlace("thresholdMetric", sli.thresholdMetric)],
        [`indicator.${bound}`, "spec.objectives[0].value"],
        ["indicator", path],
      ],
    };
  }
  const ratio = sli.ratioMetric!;
  if (ratio.raw !== undefined) {
    const key = ratio.rawType === "success" ? "successRatio" : "errorRatio";
    return {
      indicator: { kind: "raw", [key]: queryOf(ratio.raw) },
      places: [
        [`indicator.${key}`, metricPlace("ratioMetric.raw", ratio.raw)],
        ["indicator", path],
      ],
    };
  }
  const [key, field, numerator] =
    ratio.bad !== undefined
      ? (["errors", "bad", ratio.bad] as const)
      : (["good", "good", ratio.good!] as const);
  return {
    indicator: {
      kind: "ratio",
      [key]: queryOf(numerator),
      total: queryOf(ratio.total!),
      ...(ratio.counter === false ? { counters: false } : {}),
    },
    places: [
      [`indicator.${key}`, metricPlace(`ratioMetric.${field}`, numerator)],
      ["indicator.total", metricPlace("ratioMetric.total", ratio.total!)],
      ["indicator.counters", `${path}.ratioMetric.counter`],
      ["indicator", path],
    ],
  };
}

const BUDGETING_METHODS = {
  Occurrences: "occurrences",
  Timeslices: "timeslices",
  RatioTimeslices: "ratioTimeslices",
} as const;

/**
 * An SLO document as the metrics.slos entry it states, resolved through its references, with where
 * it states each key; undefined when it has problems (added to `problems`).
 */
function resolve(
  slo: Decoded & { spec: SloSpecDocument },
  catalogue: Catalogue,
  problems: string[],
): Resolved | undefined {
  const spec = slo.spec;
  const before = problems.length;
  const indicator = indicatorOf(spec, catalogue);
  const [objective] = spec.objectives;
  if (indicator !== undefined) {
    objectiveProblems(spec, indicator, objective, (path, message) =>
      problems.push(`${slo.place} ${path} ${message}`),
    );
  }
  const alerts: Record<string, unknown>[] = [];
  const places: Places = [];
  (spec.alertPolicies ?? []).forEach((entry, position) => {
    const found = alertOf(entry, position, alerts.length, catalogue);
    if (found === undefined) return;
    alerts.push(found.alert);
    places.push(...found.places);
  });
  if (problems.length > before || indicator === undefined || spec.timeWindow?.length !== 1) {
    return undefined;
  }

  const entry = indicatorEntry(indicator, objective);
  places.push(...entry.places);
  const method = BUDGETING_METHODS[spec.budgetingMethod];
  const candidate = {
    name: slo.name,
    service: spec.service,
    objective: objective.target ?? +(objective.targetPercent! / 100).toFixed(10),
    window: complianceWindowOf(spec.timeWindow[0]),
    indicator: entry.indicator,
    ...(method === "occurrences"
      ? {}
      : {
          budgeting: {
            method,
            sliceWindow: prometheusDuration(objective.timeSliceWindow!),
            ...(objective.timeSliceTarget === undefined ? {} : { sliceTarget: objective.timeSliceTarget }),
          },
        }),
    ...(alerts.length === 0 ? {} : { alerts }),
  };
  places.push(
    ["name", "metadata.name"],
    ["service", "spec.service"],
    ["objective", `spec.objectives[0].${objective.target !== undefined ? "target" : "targetPercent"}`],
    ["window", "spec.timeWindow[0].duration"],
    ["budgeting.sliceWindow", "spec.objectives[0].timeSliceWindow"],
    ["budgeting.sliceTarget", "spec.objectives[0].timeSliceTarget"],
  );
  return { candidate, places };
}

/** The SLOs of OpenSLO v1 documents, or every problem of every document. */
export function openSloSlos(documents: readonly SloDocument[]): {
  slos: TranslatedSlo[];
  problems: DocumentProblem[];
} {
  const catalogue = new Catalogue();
  // Each document's problems, listed in the order of the documents.
  const problemsOf = new Map<SloDocument, string[]>(documents.map((doc) => [doc, []]));
  const decodedSlos: Decoded[] = [];
  for (const doc of documents) {
    const result = decode(doc);
    problemsOf.get(doc)!.push(...result.problems);
    if (result.decoded !== undefined) {
      catalogue.add(result.decoded);
      if (result.kind === "SLO") decodedSlos.push(result.decoded);
    } else if (result.kind !== undefined && result.name !== undefined) {
      catalogue.addBroken(result.kind, result.name);
    }
  }
  for (const { doc, message } of catalogue.problems) {
    problemsOf.get(doc)!.push(message);
  }
  for (const doc of documents) {
    const value = isRecord(doc.value) ? doc.value : {};
    const name =
      isRecord(value.metadata) && typeof value.metadata.name === "string" ? value.metadata.name : undefined;
    for (const ref of references(value.kind, value.spec)) {
      if (typeof ref.name === "string" && !catalogue.has(ref.kind, ref.name)) {
        problemsOf
          .get(doc)!
          .push(
            `${documentPlace(doc, name)} ${ref.path} names no ${ref.kind} document: no file of metrics.openSloFiles has one named ${ref.name}`,
          );
      }
    }
  }
  const slos: TranslatedSlo[] = [];
  for (const slo of decodedSlos) {
    const own = problemsOf.get(slo.doc)!;
    const resolved = resolve(slo as Decoded & { spec: SloSpecDocument }, catalogue, own);
    if (resolved === undefined) {
      continue;
    }
    const checked = engineChecked(resolved.candidate, resolved.places as FieldPlaces, slo.place);
    if (!("slo" in checked)) {
      own.push(...checked.problems);
    } else if (own.length === 0) {
      slos.push({ file: slo.doc.file, slo: checked.slo });
    }
  }
  const problems = documents.flatMap((doc) =>
    problemsOf.get(doc)!.map((message) => ({ file: doc.file, message })),
  );
  return { slos, problems };
}

/** metrics.openSloFiles: files of OpenSLO v1 documents, each becoming its SLOs. */
export const openSloFiles = sloDocumentFiles(openSloSlos);
