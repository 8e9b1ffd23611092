// Sloth as the peer of the SLO engine: for an SLO of each indicator kind, one Sloth spec
// (prometheus/v1), turned into rules by the real Sloth v0.16.0 and by this engine
// (metrics.slothFiles), and the engine's own metrics.slos entry for the same SLO; all three rule sets
// driven by the same series in one promtool run per scenario, and each page and ticket's first firing
// read from what promtool evaluated. The engine from the spec fires when Sloth does, within one
// evaluation interval; the engine's own entries fire later by their `for` (2m, 15m).
// SLOTH_PEER_RECORD=1 writes the table to docs/measured/sloth-peer.md.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../components/metrics/configuredSlos";
import { parseStackConfig } from "../../config/load";
import { PROJECT_ROOT } from "../../render/renderStack";
import { batchToolEnvironment, tools } from "../kit/tools";
import { SLOS_OF_EVERY_KIND, seriesBurning } from "../unit/slo/sloPromtoolCases";
import { promtoolGot } from "../support/promtoolGot";
import { EVERY_WINDOW_RETENTION } from "../../config/metrics/evaluatorReach";

const run = promisify(execFile);

type NativeSlo = (typeof SLOS_OF_EVERY_KIND)[number];

/** One SLO: the Sloth spec of it, and the engine's own entry for it (whose series the scenarios feed). */
interface PeerSlo {
  readonly kind: string;
  readonly native: NativeSlo;
  readonly spec: string;
  /** A team's own recording rule the spec reads, loaded beside the generated ones. */
  readonly ownRule?: { readonly record: string; readonly expr: string };
}

const spec = (service: string, name: string, objective: number, sli: Record<string, unknown>) =>
  yaml.dump({
    version: "prometheus/v1",
    service,
    slos: [
      {
        name,
        objective,
        sli,
        alerting: {
          name: "PeerBurn",
          page_alert: { labels: { severity: "critical" } },
          ticket_alert: { labels: { severity: "warning" } },
        },
      },
    ],
  });

const nativeNamed = (name: string) => SLOS_OF_EVERY_KIND.find((s) => s.name === name)!;

const PEERS: readonly PeerSlo[] = [
  {
    kind: "ratio of bad events",
    native: nativeNamed("payment-failures"),
    spec: spec("payment-service", "failures", 99, {
      events: {
        error_query: 'sum(rate(payments_total{outcome="failed"}[{{.window}}]))',
        total_query: "sum(rate(payments_total[{{.window}}]))",
      },
    }),
  },
  {
    kind: "ratio of good events",
    native: nativeNamed("seat-locks"),
    spec: spec("ticket-service", "seat-locks", 99, {
      events: {
        error_query:
          'sum(rate(seat_locks_total[{{.window}}])) - sum(rate(seat_locks_total{result="acquired"}[{{.window}}]))',
        total_query: "sum(rate(seat_locks_total[{{.window}}]))",
      },
    }),
  },
  {
    kind: "latency (histogram buckets)",
    native: nativeNamed("queue-wait"),
    spec: spec("queue-service", "wait", 99, {
      events: {
        error_query:
          'sum(rate(queue_wait_seconds_bucket{queue="checkout",le="+Inf"}[{{.window}}])) - sum(rate(queue_wait_seconds_bucket{queue="checkout",le="30.0"}[{{.window}}]))',
        total_query: 'sum(rate(queue_wait_seconds_bucket{queue="checkout",le="+Inf"}[{{.window}}]))',
      },
    }),
  },
  {
    // Sloth has no threshold SLI: a team records whether the bound is broken itself and gives Sloth
    // the share of evaluations in which it was as a raw SLI (a subquery over days would read more
    // samples than promtool lets a query load).
    kind: "threshold (Sloth: raw, over the team's own recording rule)",
    native: nativeNamed("queue-wait-p95"),
    spec: spec("queue-service", "wait-p95", 95, {
      raw: { error_ratio_query: "avg_over_time(queue:wait_p95_over_30s:bool[{{.window}}])" },
    }),
    ownRule: {
      record: "queue:wait_p95_over_30s:bool",
      expr: 'max(queue_wait_seconds{quantile="0.95"}) >= bool 30',
    },
  },
];

/** A burn: healthy minutes, then the budget burning at `factor` times its rate. */
interface Scenario {
  readonly title: string;
  readonly healthyMinutes: number;
  readonly burnMinutes: number;
  readonly factor: number;
  /** Evaluation and sample interval: 1m for the page's 5-minute window, 5m for days of ticket. */
  readonly stepMinutes: 1 | 5;
  /** The alerts the burn fires (for Sloth, by its windows' arithmetic); any other stays silent. */
  readonly fires: readonly ("page" | "ticket")[];
}

// The page's burns follow six healthy hours only, so the day's and three days' windows hold little
// but the burn: the ticket fires too, once 1x over those hours (20x: 360 / 19 = 19 minutes).
const SCENARIOS: readonly Scenario[] = [
  // 14.4x over 1h after 60 * 14.4 / 20 = 43.2 minutes.
  {
    title: "20x for 2h (page: 14.4x over 1h)",
    healthyMinutes: 360,
    burnMinutes: 120,
    factor: 20,
    stepMinutes: 1,
    fires: ["page", "ticket"],
  },
  // 6x over 6h after 360 * 6 / 8 = 270 minutes.
  {
    title: "8x for 6h (page: 6x over 6h)",
    healthyMinutes: 360,
    burnMinutes: 360,
    factor: 8,
    stepMinutes: 1,
    fires: ["page", "ticket"],
  },
  // 3x over 1d (and 1x over 3d) after 1440 * 3 / 4 = 1080 minutes.
  {
    title: "4x for 22h (ticket: 3x over 1d)",
    healthyMinutes: 3 * 1440,
    burnMinutes: 22 * 60,
    factor: 4,
    stepMinutes: 5,
    fires: ["ticket"],
  },
  // 1x over 3d after 4320 / 2 = 2160 minutes.
  {
    title: "2x for 40h (ticket: 1x over 3d)",
    healthyMinutes: 3 * 1440,
    burnMinutes: 40 * 60,
    factor: 2,
    stepMinutes: 5,
    fires: ["ticket"],
  },
];

type Tool = "sloth" | "engine from the Sloth spec" | "engine's own entry";

/** Minutes after the burn starts at which each tool's page and ticket first fire (undefined: not at all). */
type FirstFirings = Record<Tool, Record<"page" | "ticket", number | undefined>>;

/** The alert selectors of each tool: Sloth's carry sloth_id, the engine's the `slo` label of their SLO. */
function alertsOf(fromSpec: string, native: string): Record<Tool, string> {
  return {
    sloth: 'alertname="PeerBurn", sloth_id!=""',
    "engine from the Sloth spec": `alertname="PeerBurn", slo="${fromSpec}"`,
    "engine's own entry": `alertname=~"SLOBurnFast|SLOBurnSlow", slo="${native}"`,
  };
}

/**
 * One expression of the first firing (Unix seconds) of each tool's page and ticket over the run,
 * each labelled `tool` and `alert`.
 */
function firstFiringExpr(selectors: Record<Tool, string>, endMinutes: number, stepMinutes: number): string {
  return Object.entries(selectors)
    .flatMap(([tool, selector]) =>
      (["page", "ticket"] as const).map((alert) => {
        const severity = alert === "page" ? "critical" : "warning";
        const first = `min(min_over_time(timestamp(ALERTS{alertstate="firing", severity="${severity}", ${selector}})[${endMinutes}m:${stepMinutes}m]))`;
        return `label_replace(label_replace(${first}, "tool", "${tool}", "", ""), "alert", "${alert}", "", "")`;
      }),
    )
    .join(" or ");
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sloth-peer-"));
});
afterAll(() => (process.env.KEEP ? undefined : fs.rmSync(dir, { recursive: true, force: true })));

/** The three rule files of one SLO: Sloth's, the engine's from the same spec, the engine's own entry's. */
async function ruleFiles(peer: PeerSlo): Promise<{ files: string[]; fromSpec: string }> {
  const name = peer.native.name;
  fs.writeFileSync(path.join(dir, `${name}.sloth.yml`), peer.spec);
  await run(
    tools.sloth(),
    ["generate", "--no-log", "-i", `${name}.sloth.yml`, "-o", `${name}.sloth-rules.yml`],
    { cwd: dir },
  );
  const [fromSpec] = parseStackConfig(
    {
      metrics: {
        retentionTime: EVERY_WINDOW_RETENTION,
        slothFiles: [{ name: `${name}.sloth.yml`, content: peer.spec }],
      },
    },
    new Set(),
  ).metrics.slos;
  const engine = (slos: readonly NativeSlo[], file: string) => {
    fs.writeFileSync(
      path.join(dir, file),
      yaml.dump({ groups: configuredSloRules(slos, "https://runbooks.example.com/observability") }),
    );
    return file;
  };
  const own = peer.ownRule === undefined ? [] : [`${name}.own.yml`];
  if (peer.ownRule !== undefined) {
    fs.writeFileSync(
      path.join(dir, own[0]),
      yaml.dump({ groups: [{ name: "team", rules: [peer.ownRule] }] }),
    );
  }
  return {
    files: [
      ...own,
      `${name}.sloth-rules.yml`,
      engine([fromSpec], `${name}.engine.yml`),
      engine([peer.native], `${name}.native.yml`),
    ],
    fromSpec: fromSpec.name,
  };
}

/**
 * Each tool's page and ticket first firings of one SLO in every scenario, from one promtool run per
 * scenario. promtool evaluates every rule over the run, and an expression test that expects nothing
 * makes it print what the first firings were.
 */
async function measure(peer: PeerSlo): Promise<FirstFirings[]> {
  const { files, fromSpec } = await ruleFiles(peer);
  const selectors = alertsOf(fromSpec, peer.native.name);
  // Every group after the ones it reads, as a Prometheus evaluating every few seconds has it: Sloth
  // keeps its alerts in a group apart from the ratios they read, and evaluated first with a 5-minute
  // interval they would see no ratio at all (the lookback leaves out a sample exactly 5 minutes old).
  const groupOrder = files.flatMap((file) =>
    (yaml.load(fs.readFileSync(path.join(dir, file), "utf8")) as { groups: { name: string }[] }).groups.map(
      (g) => g.name,
    ),
  );
  // The scenarios are independent promtool runs, mostly processor time: run them at once.
  return Promise.all(
    SCENARIOS.map(async (scenario, i): Promise<FirstFirings> => {
      const end = scenario.healthyMinutes + scenario.burnMinutes;
      const phases = [
        { minutes: scenario.healthyMinutes, badShare: 0 },
        {
          minutes: scenario.burnMinutes,
          badShare: scenario.factor * +(1 - peer.native.objective).toFixed(10),
        },
      ];
      const file = `${peer.native.name}-${i}.test.yml`;
      fs.writeFileSync(
        path.join(dir, file),
        yaml.dump({
          rule_files: files,
          evaluation_interval: `${scenario.stepMinutes}m`,
          group_eval_order: groupOrder,
          tests: [
            {
              name: scenario.title,
              interval: `${scenario.stepMinutes}m`,
              input_series: Object.entries(seriesBurning(peer.native, phases, scenario.stepMinutes)).map(
                ([series, values]) => ({ series, values }),
              ),
              promql_expr_test: [
                {
                  expr: firstFiringExpr(selectors, end, scenario.stepMinutes),
                  eval_time: `${end}m`,
                  exp_samples: [],
                },
              ],
            },
          ],
        }),
      );
      const output = await run(tools.promtool(), ["test", "rules", file], {
        cwd: dir,
        env: batchToolEnvironment(),
      }).then(
        ({ stdout, stderr }) => `${stdout}${stderr}`,
        (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
      );
      // The one difference is the expectation's: no rule failed to evaluate.
      expect(output).not.toMatch(/err:/);
      const got = promtoolGot(output);
      const at = (tool: Tool, alert: "page" | "ticket") => {
        const first = got.find((g) => g.labels.tool === tool && g.labels.alert === alert);
        return first === undefined ? undefined : first.value / 60 - scenario.healthyMinutes;
      };
      const of = (tool: Tool) => ({ page: at(tool, "page"), ticket: at(tool, "ticket") });
      return {
        sloth: of("sloth"),
        "engine from the Sloth spec": of("engine from the Sloth spec"),
        "engine's own entry": of("engine's own entry"),
      };
    }),
  );
}

const rows: string[] = [];
const shown = (minutes: number | undefined) => (minutes === undefined ? "—" : `${minutes} min`);
const difference = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined
    ? a === b
      ? "same (neither)"
      : "one only"
    : a === b
      ? "0"
      : `${b - a > 0 ? "+" : ""}${b - a} min`;

describe.each(PEERS.map((p) => [`${p.native.name} (${p.kind})`, p] as const))("%s", (_, peer) => {
  test("the engine from Sloth's spec pages when Sloth does, within one evaluation interval, and tickets within an hour more (its 3-day window's chunks); its own entry later by its `for`", async () => {
    const measured = await measure(peer);
    measured.forEach((firings, i) => {
      const scenario = SCENARIOS[i];
      for (const kind of ["page", "ticket"] as const) {
        const sloth = firings.sloth[kind];
        const fromSpec = firings["engine from the Sloth spec"][kind];
        const own = firings["engine's own entry"][kind];
        rows.push(
          `| ${peer.native.name} | ${peer.kind} | ${scenario.title} | ${kind} | ${shown(sloth)} | ${shown(fromSpec)} | ${difference(sloth, fromSpec)} | ${shown(own)} | ${difference(sloth, own)} |`,
        );
        expect([kind, scenario.title, sloth !== undefined]).toEqual([
          kind,
          scenario.title,
          scenario.fires.includes(kind),
        ]);
        expect([kind, scenario.title, fromSpec === undefined]).toEqual([
          kind,
          scenario.title,
          sloth === undefined,
        ]);
        // The ticket reads the 3-day window, which the engine sums from hourly chunks: it may move
        // up to an hour after Sloth's rate over 3 days does.
        const chunkMinutes = kind === "ticket" ? 60 : 0;
        if (sloth !== undefined && fromSpec !== undefined) {
          expect([
            kind,
            scenario.title,
            Math.abs(fromSpec - sloth) <= scenario.stepMinutes + chunkMinutes,
          ]).toEqual([kind, scenario.title, true]);
        }
        // The engine's own page waits 2 minutes, its ticket 15, before firing.
        const wait = kind === "page" ? 2 : 15;
        expect([kind, scenario.title, own === undefined]).toEqual([
          kind,
          scenario.title,
          sloth === undefined,
        ]);
        if (sloth !== undefined && own !== undefined) {
          expect([
            kind,
            scenario.title,
            Math.abs(own - sloth - wait) <= scenario.stepMinutes + chunkMinutes,
          ]).toEqual([kind, scenario.title, true]);
        }
      }
    });
  }, 600000);
});

afterAll(() => {
  if (process.env.SLOTH_PEER_RECORD !== "1" || rows.length === 0) {
    return;
  }
  const table = [
    "| SLO | indicator kind | burn | alert | Sloth fires after | engine from the Sloth spec | difference | engine's own entry | difference |",
    "|---|---|---|---|--:|--:|--:|--:|--:|",
    ...rows,
  ].join("\n");
  fs.writeFileSync(
    path.join(PROJECT_ROOT, "docs", "measured", "sloth-peer.md"),
    `# The SLO engine beside Sloth v0.16.0\n\nWritten by \`SLOTH_PEER_RECORD=1 npx jest tests/servers/slothPeer.test.ts\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC (do not edit by hand). Minutes after the burn starts; "—": the alert did not fire during the burn.\n\n${table}\n`,
  );
});
