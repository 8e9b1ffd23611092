import { z } from "zod";
import { durationMs } from "../durations";
import { takesSlothWindow } from "./sliQueries";
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

// Sloth's SLO specs (github.com/slok/sloth v0.16.0): the `prometheus/v1` file format and the same
// spec as Sloth's Kubernetes resource `PrometheusServiceLevel` (sloth.slok.dev/v1, camelCase keys),
// each SLO translated to a metrics.slos entry that alerts as Sloth's rules do: its page and ticket
// over Sloth's windows for its default 30-day period, named and labelled as the spec says (with
// Sloth's sloth_severity page or ticket), firing as soon as they hold (Sloth's alerts have no `for`). Plugins, which are Go code Sloth runs, are
// refused. Unknown fields are errors here, where Sloth's decoder drops them.

const FILE_VERSION = "prometheus/v1";
const CRD_API_VERSION = "sloth.slok.dev/v1";
const CRD_KIND = "PrometheusServiceLevel";

/** The period Sloth budgets over unless its command line says otherwise (`--default-slo-period`). */
export const SLOTH_PERIOD = "30d";

/**
 * Sloth's windows for a 30-day period (its catalogue `google-30d`, after the SRE workbook): the share
 * of the period's error budget each alert lets burn over its long window.
 */
const SLOTH_WINDOWS = {
  page: [
    { budgetPercent: 2, long: "1h", short: "5m" },
    { budgetPercent: 5, long: "6h", short: "30m" },
  ],
  ticket: [
    { budgetPercent: 10, long: "1d", short: "2h" },
    { budgetPercent: 10, long: "3d", short: "6h" },
  ],
} as const;

/** The burn rate that spends `budgetPercent` of the period's budget in `long`, computed as Sloth computes it. */
const slothBurnRate = (budgetPercent: number, long: string) =>
  (budgetPercent * (durationMs(SLOTH_PERIOD) / 3.6e6)) / 100 / (durationMs(long) / 3.6e6);

const UNKNOWN_FIELD = "is not a field of Sloth's spec";
const PLUGINS =
  "is a Sloth plugin, Go code that Sloth runs while generating rules; the stack has no plugin engine. Write the SLI as events (error and total queries) or raw (an error-ratio query)";

const text = z.string({ invalid_type_error: "must be text" });
// Sloth's decoder reads a number or a boolean written as a label's value as its text (0.2, true).
const labelValue = z
  .union([text, z.number(), z.boolean()], { invalid_type_error: "must be text" })
  .transform(String);
const labels = z.record(labelValue, { invalid_type_error: "must be a mapping of label names to text" });
const refused = z.unknown().superRefine((_, ctx) => ctx.addIssue({ code: "custom", message: PLUGINS }));
const windowQuery = text.superRefine((query, ctx) => {
  if (!takesSlothWindow(query)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must use {{.window}} where its range goes, as Sloth requires (e.g. sum(rate(x_total[{{.window}}])))",
    });
  }
});

/** The spec's key names: prometheus/v1 files write them in snake_case, the Kubernetes resource in camelCase. */
interface Keys {
  readonly errorRatioQuery: string;
  readonly errorQuery: string;
  readonly totalQuery: string;
  readonly pageAlert: string;
  readonly ticketAlert: string;
  readonly sloPlugins: string;
}
const FILE_KEYS: Keys = {
  errorRatioQuery: "error_ratio_query",
  errorQuery: "error_query",
  totalQuery: "total_query",
  pageAlert: "page_alert",
  ticketAlert: "ticket_alert",
  sloPlugins: "slo_plugins",
};
const CRD_KEYS: Keys = {
  errorRatioQuery: "errorRatioQuery",
  errorQuery: "errorQuery",
  totalQuery: "totalQuery",
  pageAlert: "pageAlert",
  ticketAlert: "ticketAlert",
  sloPlugins: "sloPlugins",
};

function specSchema(k: Keys) {
  const alert = z
    .object({ disable: z.boolean().optional(), labels: labels.optional(), annotations: labels.optional() })
    .strict();
  const slo = z
    .object({
      name: text,
      description: text.optional(),
      objective: z.number({ invalid_type_error: "must be a number (a percentage such as 99.9)" }),
      plugins: refused.optional(),
      labels: labels.optional(),
      sli: z
        .object({
          raw: z
            .object({ [k.errorRatioQuery]: windowQuery })
            .strict()
            .optional(),
          events: z
            .object({ [k.errorQuery]: windowQuery, [k.totalQuery]: windowQuery })
            .strict()
            .optional(),
          plugin: refused.optional(),
        })
        .strict()
        .superRefine((sli, ctx) => {
          if (sli.plugin === undefined && (sli.raw === undefined) === (sli.events === undefined)) {
            ctx.addIssue({
              code: "custom",
              path: ["events"],
              message: "must be given, or raw instead: exactly one of them",
            });
          }
        }),
      alerting: z
        .object({
          name: text.optional(),
          labels: labels.optional(),
          annotations: labels.optional(),
          [k.pageAlert]: alert.optional(),
          [k.ticketAlert]: alert.optional(),
        })
        .strict(),
    })
    .strict()
    .superRefine((s, ctx) => {
      const alerting = s.alerting as Record<string, { disable?: boolean } | undefined> & { name?: string };
      const silent = alerting[k.pageAlert]?.disable === true && alerting[k.ticketAlert]?.disable === true;
      if (!silent && alerting.name === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["alerting", "name"],
          message: "is required unless both alerts are disabled, as Sloth requires",
        });
      }
    });
  return z
    .object({
      service: text,
      labels: labels.optional(),
      [k.sloPlugins]: refused.optional(),
      slos: z.array(slo).min(1, "must hold at least one SLO, as Sloth requires"),
    })
    .strict();
}

const FILE_SPEC = specSchema(FILE_KEYS)
  .extend({ version: z.literal(FILE_VERSION) })
  .strict();
const CRD = z
  .object({
    apiVersion: z.literal(CRD_API_VERSION),
    kind: z.literal(CRD_KIND),
    metadata: z
      .object({
        name: text,
        namespace: text.optional(),
        labels: labels.optional(),
        annotations: labels.optional(),
      })
      .strict(),
    spec: specSchema(CRD_KEYS),
  })
  .strict();

interface SlothAlert {
  readonly disable?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}
interface Slo {
  readonly name: string;
  readonly objective: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** `raw` or `events`, each a mapping of its keys (in the spec's casing) to queries. */
  readonly sli: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
  readonly alerting: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  } & Readonly<Record<string, unknown>>;
}
/** A spec as the schemas above accept it (their keys are computed, so zod cannot type it). */
interface Spec {
  readonly service: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly slos: readonly Slo[];
}

/** The labels and annotations of one alert, and where each label is set (the most specific place wins, as in Sloth). */
function merged(
  levels: readonly (readonly [place: string, values: Readonly<Record<string, string>> | undefined])[],
): { values: Record<string, string>; places: [string, string][] } {
  const values: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const [place, level] of levels) {
    for (const [key, value] of Object.entries(level ?? {})) {
      values[key] = value;
      origin[key] = `${place}.${key}`;
    }
  }
  return { values, places: Object.entries(origin) };
}

/** One SLO of a spec as a metrics.slos entry, and where the spec states each of its keys. */
function translate(
  spec: Spec,
  slo: Slo,
  i: number,
  k: Keys,
  at: string,
): { candidate: unknown; places: FieldPlaces } {
  const here = `${at}slos[${i}]`;
  const places: [string, string][] = [
    ["name", `${here}.name (the SLO is named ${spec.service}-${slo.name}, its Sloth ID)`],
    ["service", `${at}service`],
    ["objective", `${here}.objective (as a ratio)`],
  ];
  const sli = slo.sli;
  let indicator: Record<string, unknown>;
  if (sli.raw !== undefined) {
    indicator = { kind: "raw", errorRatio: sli.raw[k.errorRatioQuery] };
    places.push(["indicator.errorRatio", `${here}.sli.raw.${k.errorRatioQuery}`]);
  } else {
    indicator = { kind: "ratio", errors: sli.events![k.errorQuery], total: sli.events![k.totalQuery] };
    places.push(
      ["indicator.errors", `${here}.sli.events.${k.errorQuery}`],
      ["indicator.total", `${here}.sli.events.${k.totalQuery}`],
    );
  }
  const alerting = slo.alerting;
  const alerts: Record<string, unknown>[] = [];
  for (const kind of ["page", "ticket"] as const) {
    const key = kind === "page" ? k.pageAlert : k.ticketAlert;
    const own = alerting[key] as SlothAlert | undefined;
    if (own?.disable === true) {
      continue;
    }
    const a = alerts.length;
    const labelsOf = merged([
      [`${at}labels`, spec.labels],
      [`${here}.labels`, slo.labels],
      [`${here}.alerting.labels`, alerting.labels],
      [`${here}.alerting.${key}.labels`, own?.labels],
    ]);
    // Sloth labels its page and its ticket so, which keeps them two alerts when they share a severity.
    const labels: Record<string, string> = { ...labelsOf.values, sloth_severity: kind };
    const { severity, ...rest } = labels;
    places.push(
      ...labelsOf.places.map(([label, place]): [string, string] => [`alerts[${a}].labels.${label}`, place]),
      [`alerts[${a}].name`, `${here}.alerting.name`],
      [
        `alerts[${a}].severity`,
        labelsOf.places.find(([label]) => label === "severity")?.[1] ?? `${here}.alerting.${key}`,
      ],
    );
    const annotations = { ...alerting.annotations, ...own?.annotations };
    alerts.push({
      name: alerting.name,
      // Without a severity label of the spec, Sloth's page is critical and its ticket warning.
      severity: severity ?? (kind === "page" ? "critical" : "warning"),
      when: SLOTH_WINDOWS[kind].map((w) => ({
        burnRate: slothBurnRate(w.budgetPercent, w.long),
        window: w.long,
        shortWindow: w.short,
      })),
      labels: rest,
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    });
  }
  return {
    candidate: {
      name: `${spec.service}-${slo.name}`,
      service: spec.service,
      objective: +(slo.objective / 100).toFixed(10),
      window: SLOTH_PERIOD,
      indicator,
      alerts,
    },
    places,
  };
}

/** The SLOs of Sloth specs, or every problem of every document. */
export function slothSlos(documents: readonly SloDocument[]): {
  slos: TranslatedSlo[];
  problems: DocumentProblem[];
} {
  const slos: TranslatedSlo[] = [];
  const problems: DocumentProblem[] = [];
  for (const doc of documents) {
    const value = doc.value as Record<string, unknown> | null;
    const crd = typeof value === "object" && value !== null && "apiVersion" in value;
    const name = crd
      ? ((value.metadata as { name?: unknown } | undefined)?.name as string | undefined)
      : typeof value?.service === "string"
        ? `service ${value.service}`
        : undefined;
    const place = documentPlace(doc, typeof name === "string" ? name : undefined);
    const fail = (messages: string[]) =>
      problems.push(...messages.map((m) => ({ file: doc.file, message: `${place} ${m}` })));
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail([`must be a Sloth spec (version: ${FILE_VERSION}, or a ${CRD_KIND} of ${CRD_API_VERSION})`]);
      continue;
    }
    if (
      crd ? value.apiVersion !== CRD_API_VERSION || value.kind !== CRD_KIND : value.version !== FILE_VERSION
    ) {
      fail([
        crd
          ? `apiVersion and kind must be ${CRD_API_VERSION} and ${CRD_KIND} (got ${JSON.stringify(value.apiVersion)} and ${JSON.stringify(value.kind)})`
          : `version must be ${FILE_VERSION} (got ${JSON.stringify(value.version)})`,
      ]);
      continue;
    }
    const parsed = (crd ? CRD : FILE_SPEC).safeParse(value);
    if (!parsed.success) {
      fail(parsed.error.issues.flatMap((i) => issueProblems(i, UNKNOWN_FIELD)));
      continue;
    }
    const spec = (crd ? (parsed.data as { spec: unknown }).spec : parsed.data) as Spec;
    const keys = crd ? CRD_KEYS : FILE_KEYS;
    spec.slos.forEach((slo, i) => {
      const { candidate, places } = translate(spec, slo, i, keys, crd ? "spec." : "");
      const checked = engineChecked(candidate, places, place);
      if ("slo" in checked) {
        slos.push({ file: doc.file, slo: checked.slo });
      } else {
        problems.push(...checked.problems.map((message) => ({ file: doc.file, message })));
      }
    });
  }
  return { slos, problems };
}

/** metrics.slothFiles: files of Sloth specs, each becoming its SLOs. */
export const slothFiles = sloDocumentFiles(slothSlos);
