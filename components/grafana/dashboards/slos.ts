import { PanelSpec, prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { DashboardSettings } from "../settings";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";
import { durationMs } from "../../../config/durations";
import { isCalendar, windowText } from "../../../config/slo/calendarWindows";
import { CALENDAR_SERIES, SLO_SERIES, calendarSeries, distinctCalendars } from "../../common/sloSeries";

const windowSeconds = (window: string) => durationMs(window) / 1000;

const TIME_TO_EXHAUSTION =
  "Remaining error budget (a share of the compliance window's budget, 0 once spent) times the window's length, divided by the burn rate over the last hour: at a burn rate of 1 the whole budget lasts exactly the window. Infinite while nothing burns.";

const BUSINESS_ONLY =
  "metrics.slos entries only (labelled slo and service): services without one show nothing here.";

/** The error budget of an HTTP SLO family, as an expression matching its recorded ratios' labels. */
interface HttpSlo {
  readonly name: "availability" | "latency";
  readonly errorRatio: (window: string) => string;
  readonly budget: string;
}

function httpSlos(config: DashboardSettings): HttpSlo[] {
  return [
    {
      name: "availability",
      errorRatio: (w) => `service:http_errors:ratio_rate${w}{${SERVICE_MATCHER}}`,
      budget: "(1 - service:slo_availability:objective)",
    },
    {
      name: "latency",
      errorRatio: (w) => `service:http_requests_slow:ratio_rate${w}{${SERVICE_MATCHER}}`,
      budget: String(+(1 - config.metrics.slo.latencyObjective).toFixed(10)),
    },
  ];
}

/** Objective, SLIs, budget, burn and time to exhaustion of every service's HTTP SLOs. */
function httpPanels(config: DashboardSettings): PanelSpec[] {
  const window = config.metrics.slo.window;
  const slos = httpSlos(config);
  const remaining = (slo: HttpSlo) => `service:slo_${slo.name}:error_budget_remaining{${SERVICE_MATCHER}}`;
  return [
    statTile({
      title: "Availability objective",
      expr: `service:slo_availability:objective{${SERVICE_MATCHER}}`,
      legend: "{{service}}",
      unit: "percentunit",
      width: 8,
    }),
    timeSeries({
      title: "Availability (6h)",
      queries: [prom(`1 - service:http_errors:ratio_rate6h{${SERVICE_MATCHER}}`, "{{service}}")],
      unit: "percentunit",
      width: 16,
    }),
    ...slos.map((slo) =>
      timeSeries({
        title: `HTTP ${slo.name} SLI`,
        description: `Share of good requests over the last 5 minutes (now) and over the compliance window (${window}).`,
        queries: [
          prom(`1 - ${slo.errorRatio("5m")}`, "now {{service}}"),
          prom(`1 - ${slo.errorRatio(window)}`, `${window} {{service}}`),
        ],
        unit: "percentunit",
      }),
    ),
    timeSeries({
      title: "HTTP error budget remaining",
      description: `Share of the ${window} error budget left: 1 untouched, 0 spent, below 0 overspent.`,
      queries: slos.map((slo) => prom(remaining(slo), `${slo.name} {{service}}`)),
      unit: "percentunit",
    }),
    ...slos.map((slo) =>
      timeSeries({
        title: `HTTP ${slo.name} burn rate`,
        description: "Budget burn over the page alert's windows (1 = on budget).",
        queries: ["1h", "6h"].map((w) => prom(`${slo.errorRatio(w)} / ${slo.budget}`, `${w} {{service}}`)),
      }),
    ),
    timeSeries({
      title: "HTTP time to exhaustion",
      description: TIME_TO_EXHAUSTION,
      queries: slos.map((slo) =>
        prom(
          `clamp_min(${remaining(slo)}, 0) * ${windowSeconds(window)} / (${slo.errorRatio("1h")} / ${slo.budget})`,
          `${slo.name} {{service}}`,
        ),
      ),
      unit: "s",
    }),
  ];
}

/** The compliance windows of `metrics.slos`, each once, with how its series read. */
interface WindowKind {
  readonly text: string;
  /** The recorded error ratio over the window. */
  readonly ratio: string;
  /** The window's length in seconds: a number, or the current calendar period's. */
  readonly seconds: string;
  readonly slos: readonly string[];
}

function windowKinds(config: DashboardSettings): WindowKind[] {
  const kinds = new Map<string, WindowKind>();
  for (const slo of config.metrics.slos) {
    const text = windowText(slo.window);
    const known = kinds.get(text);
    const window = slo.window;
    kinds.set(text, {
      text,
      ratio: isCalendar(window) ? SLO_SERIES.periodErrorRatio : SLO_SERIES.errorRatio(window),
      seconds: isCalendar(window)
        ? `scalar(${calendarSeries(CALENDAR_SERIES.end, window)} - ${calendarSeries(CALENDAR_SERIES.start, window)})`
        : String(windowSeconds(window)),
      slos: [...(known?.slos ?? []), slo.name],
    });
  }
  return [...kinds.values()];
}

/** Each calendar period the SLOs count over: its start and end, and the days left in it. */
function calendarPanel(config: DashboardSettings): PanelSpec[] {
  const calendars = distinctCalendars(
    config.metrics.slos.flatMap((s) => (isCalendar(s.window) ? [s.window] : [])),
  );
  if (calendars.length === 0) {
    return [];
  }
  return [
    table({
      title: "Calendar periods",
      description:
        "The current period of each calendar window (calendar, time_zone): its start and end, and the days left until its budget starts again.",
      queries: calendars.flatMap((w) => [
        prom(`${calendarSeries(CALENDAR_SERIES.start, w)} * 1000`, "start {{calendar}} {{time_zone}}"),
        prom(`${calendarSeries(CALENDAR_SERIES.end, w)} * 1000`, "end {{calendar}} {{time_zone}}"),
        prom(
          `(${calendarSeries(CALENDAR_SERIES.end, w)} - time()) / 86400`,
          "days left {{calendar}} {{time_zone}}",
        ),
      ]),
      width: 24,
    }),
  ];
}

/** The same for every `metrics.slos` entry, each series labelled `slo` and `service`. */
function businessPanels(config: DashboardSettings): PanelSpec[] {
  const windows = windowKinds(config);
  if (windows.length === 0) {
    return [];
  }
  /** The picked services' SLOs counted over window `w`. */
  const over = (w: WindowKind) => `${SERVICE_MATCHER}, slo=~"${w.slos.join("|")}"`;
  const burn = (w: string) => `slo:sli_error:ratio_rate${w}{${SERVICE_MATCHER}} / (1 - slo:objective:ratio)`;
  return [
    table({
      title: "SLO objectives",
      description: BUSINESS_ONLY,
      queries: [prom(`slo:objective:ratio{${SERVICE_MATCHER}}`)],
      width: 8,
    }),
    timeSeries({
      title: "SLI",
      description: `${BUSINESS_ONLY} Good share over the last 5 minutes (now) and over each SLO's compliance window (a calendar window's: since its period started).`,
      queries: [
        prom(`1 - slo:sli_error:ratio_rate5m{${SERVICE_MATCHER}}`, "now {{slo}}"),
        ...windows.map((w) => prom(`1 - ${w.ratio}{${over(w)}}`, `${w.text} {{slo}}`)),
      ],
      unit: "percentunit",
      width: 16,
    }),
    timeSeries({
      title: "Error budget remaining",
      description: `${BUSINESS_ONLY} Share of the compliance window's error budget left (a calendar window's: of its period's, to date): 1 untouched, 0 spent.`,
      queries: [prom(`slo:error_budget_remaining:ratio{${SERVICE_MATCHER}}`, "{{slo}}")],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Burn rate",
      description: `${BUSINESS_ONLY} Budget burn over the page alert's windows (1 = on budget).`,
      queries: ["1h", "6h"].map((w) => prom(burn(w), `${w} {{slo}}`)),
    }),
    ...calendarPanel(config),
    timeSeries({
      title: "Time to exhaustion",
      description: `${BUSINESS_ONLY} ${TIME_TO_EXHAUSTION}`,
      queries: windows.map((w) =>
        prom(
          `clamp_min(slo:error_budget_remaining:ratio{${over(w)}}, 0) * ${w.seconds} / (slo:sli_error:ratio_rate1h{${over(w)}} / (1 - slo:objective:ratio))`,
          "{{slo}}",
        ),
      ),
      unit: "s",
      width: 24,
    }),
  ];
}

/** Objectives, SLIs, error budgets and burn rates from the Metrics component's SLO recording rules. */
export const slos = defineDashboard({ uid: "obs-slo", title: "SLOs" }, (config) => ({
  description:
    "Every SLO with its objective, SLIs now and over the compliance window, error budget left, burn rate (1 = on budget) and time to exhaustion: each service's HTTP SLOs, then metrics.slos.",
  tags: ["observability", "slo"],
  variables: [SERVICE_VARIABLE],
  panels: [
    ...httpPanels(config),
    ...businessPanels(config),
    table({
      title: "Services without an SLI, and why",
      description:
        "Scraped app services the SLO rules cannot cover (sli, reason). Their burn-rate alerts cannot fire; SLOCoverageMissing warns after 30 minutes. The README says what each framework must publish.",
      queries: [prom(`service:slo_sli:present{${SERVICE_MATCHER}} == 0`)],
      width: 24,
    }),
    table({
      title: "SLI sources",
      description:
        "Where each service's SLIs come from (sli_source): its own HTTP metric, or the collector's span metrics, whose rates count only the spans apps send (a share of the requests when apps sample at the head; ratios are unaffected).",
      queries: [prom(`service:slo_sli:present{${SERVICE_MATCHER}} == 1`)],
      width: 24,
    }),
  ],
}));
