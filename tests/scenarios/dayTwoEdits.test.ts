// Each day-two edit (tests/kit/dayTwoEdits.ts), made alone on each committed stack file and reviewed
// as `npm run review` reviews a change: the verdict each must get, what the review must find for
// the edits a reviewer most often reads, and docs/day-two.md's table as the reviews write it.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { compare } from "../../review/compare";
import { configSide } from "../../review/configEdit";
import { formatReview } from "../../review/format";
import { Review, passes } from "../../review/review";
import { DayTwoResult, dayTwoFigures, dayTwoReviewer } from "../../scripts/docs/dayTwo";
import { formatted } from "../../scripts/docs/generated";
import { regionContent } from "../../scripts/docs/regions";
import { DAY_TWO_EDITS } from "../kit/dayTwoEdits";
import { STACKS, StackName } from "../kit/stacks";
import { tools } from "../kit/tools";

/**
 * Each review is its own test's work, bounded on its own: a slow machine slows each, and fails
 * none but one that is wrong. The committed stack's render is made at the first review of each.
 */
const REVIEW_MS = 120_000;
const review = dayTwoReviewer(tools.promtool());
const reviews = new Map<string, Promise<Review>>();

/** The review of DAY_TWO_EDITS[i] on `stack`, made once. */
function reviewed(i: number, stack: StackName): Promise<Review> {
  const key = `${i}/${stack}`;
  let found = reviews.get(key);
  if (found === undefined) {
    found = review(DAY_TWO_EDITS[i], stack);
    reviews.set(key, found);
  }
  return found;
}

/** The review of the edit that sets `key` (and whose title has `titled`, when several do) on `stack`. */
function reviewOf(stack: StackName, key: string, titled = ""): Promise<Review> {
  const found = DAY_TWO_EDITS.flatMap((edit, i) =>
    edit.keys.includes(key) && edit.title.includes(titled) ? [i] : [],
  );
  if (found.length !== 1) throw new Error(`${found.length} day-two edits set ${key} with "${titled}"`);
  return reviewed(found[0], stack);
}

/** Every edit's reviews, as the docs' regions are written from them. */
async function allResults(): Promise<DayTwoResult[]> {
  const results: DayTwoResult[] = [];
  for (const [i, edit] of DAY_TWO_EDITS.entries()) {
    results.push({ edit, reviews: { kind: await reviewed(i, "kind"), prod: await reviewed(i, "prod") } });
  }
  return results;
}

const keys = (list: readonly { key: string }[]) => list.map((item) => item.key);

describe.each(DAY_TWO_EDITS.map((edit, i) => [edit.title, i] as const))("%s", (_, i) => {
  test.each(STACKS)(
    "%s: the verdict it expects",
    async (stack) => {
      expect((await reviewed(i, stack)).verdict).toBe(DAY_TWO_EDITS[i].verdict[stack]);
    },
    REVIEW_MS,
  );
});

test(
  "cutting retention puts the older samples at risk until the author accepts it by its subject",
  async () => {
    // prod's: kind's is refused, shorter than its 7-day SLO window (the verdicts' test).
    const review = await reviewOf("prod", "metrics.retentionTime", "less time");
    expect(review.atRisk.map((risk) => risk.subject)).toEqual(["Prometheus retention time"]);
    expect(passes(review, [])).toBe(false);
    expect(passes(review, ["Prometheus retention time"])).toBe(true);
    expect(keys(review.rollouts)).toEqual(["StatefulSet observability/prometheus"]);
    expect((await reviewOf("prod", "metrics.retentionTime", "longer")).atRisk).toEqual([]);
  },
  REVIEW_MS,
);

test(
  "an alert switched off by name is listed as removed, and nothing else of the rules changes",
  async () => {
    for (const stack of STACKS) {
      expect((await reviewOf(stack, "metrics.alerts.disabled")).rules).toEqual([
        {
          name: "Loki: alert LogsStopped (rules.yaml, group logs)",
          change: "removed",
          fields: [],
        },
        {
          name: "Prometheus: alert CPUThrottlingHigh (platform.yaml, group platform-resources)",
          change: "removed",
          fields: [],
        },
      ]);
    }
  },
  REVIEW_MS,
);

test(
  "an alert's for and severity overridden by name are listed as the rule's changed fields",
  async () => {
    for (const stack of STACKS) {
      expect((await reviewOf(stack, "metrics.alerts.overrides")).rules).toEqual([
        {
          name: "Prometheus: alert ContainerImagePullFailing (platform.yaml, group platform-workloads)",
          change: "changed",
          fields: ["for", "labels", "severity"],
        },
      ]);
    }
  },
  REVIEW_MS,
);

test(
  "a larger volume grows each replica's claim in place, and the StatefulSet is untouched",
  async () => {
    const review = await reviewOf("prod", "metrics.storageSize", "grow");
    expect(review.resources).toEqual(
      [0, 1].map((ordinal) => ({
        key: `PersistentVolumeClaim observability/data-prometheus-${ordinal}`,
        urn: `urn:pulumi:prod::observability::observability:index:MetricsStack$kubernetes:core/v1:PersistentVolumeClaimPatch::metrics-prometheus-data-${ordinal}`,
        change: "updated",
        fields: ["spec.resources.requests.storage"],
        values: { "spec.resources.requests.storage": ["50Gi", "80Gi"] },
      })),
    );
    expect(review.rollouts).toEqual([]);
    expect((await reviewOf("kind", "metrics.storageSize", "grow")).refused).toEqual([
      expect.stringContaining("observability:metrics.storageSize cannot grow from 5Gi to 8Gi"),
    ]);
    for (const stack of STACKS) {
      expect((await reviewOf(stack, "metrics.storageSize", "shrink")).refused).toEqual([
        expect.stringContaining("observability:metrics.storageSize cannot shrink a volume"),
      ]);
    }
  },
  REVIEW_MS,
);

test(
  "fewer Loki replicas than a push's quorum at once may remove every copy of unflushed lines",
  async () => {
    const review = await reviewOf("prod", "logs.replicas");
    expect(review.atRisk.map((risk) => risk.subject)).toEqual(["StatefulSet observability/loki"]);
    expect(review.atRisk[0].why).toContain("from 3 to 1 replicas");
    expect((await reviewOf("kind", "logs.replicas")).refused).toEqual([
      expect.stringContaining("observability:logs.replicas above 1 needs storage.s3.loki"),
    ]);
  },
  REVIEW_MS,
);

test(
  "sampling: the apps' ConfigMaps on kind (read at their next restart), the aggregators' config in prod (they roll)",
  async () => {
    const kind = await reviewOf("kind", "tracing.samplingProbability");
    expect(kind.rollouts).toEqual([]);
    expect(kind.reloads).toEqual([
      {
        key: "ConfigMap observability-demo/observability-tracing",
        readers: ["checkout", "frontend", "payments"].map((app) => ({
          workload: `Deployment observability-demo/demo-${app}`,
          takes: "restart",
        })),
      },
      { key: "ConfigMap tiketi-spring/observability-tracing", readers: [] },
    ]);
    expect(keys(kind.resources)).toEqual([
      "ConfigMap observability-demo/observability-tracing",
      "ConfigMap tiketi-spring/observability-tracing",
    ]);
    expect(keys((await reviewOf("prod", "tracing.samplingProbability")).rollouts)).toEqual([
      "StatefulSet observability/otel-collector-aggregator",
    ]);
  },
  REVIEW_MS,
);

test(
  "an alert threshold changes the one rule's expression, and Prometheus reloads it without a restart",
  async () => {
    for (const stack of STACKS) {
      const review = await reviewOf(stack, "metrics.alerts.errorRatePercent");
      expect(review.rules).toEqual([
        {
          name: "Prometheus: alert HighErrorRate (services.yaml, group services-critical)",
          change: "changed",
          fields: ["expr"],
        },
      ]);
      expect(review.reloads).toEqual([
        {
          key: "ConfigMap observability/prometheus-rules",
          readers: [
            {
              workload: "StatefulSet observability/prometheus",
              takes: "live",
              how: "Prometheus reloads it itself within 30s, no restart",
            },
          ],
        },
      ]);
    }
  },
  REVIEW_MS,
);

test(
  "quiet hours for a team's route: the route's mute intervals and the new interval are named, and Alertmanager reloads",
  async () => {
    for (const stack of STACKS) {
      const review = await reviewOf(stack, "alerting.timeIntervals");
      expect(review.routes).toEqual([
        { name: 'root > service="payment-service"', change: "changed", fields: ["mute_time_intervals"] },
      ]);
      expect(review.timeIntervals).toEqual([{ name: "off-hours", change: "added", fields: [] }]);
      expect(review.rollouts).toEqual([]);
      expect(
        review.reloads.map((reload) => [reload.key, reload.readers.map((r) => [r.workload, r.takes])]),
      ).toEqual([
        ["ConfigMap observability/alertmanager-config", [["StatefulSet observability/alertmanager", "live"]]],
      ]);
    }
  },
  REVIEW_MS,
);

test(
  "one app's own sample_limit moves it to a job of its own, named by its limit, and Prometheus reloads",
  async () => {
    for (const stack of STACKS) {
      const review = await reviewOf(stack, "apps.services[].sampleLimit");
      expect(review.configValues).toEqual({
        "ConfigMap observability/prometheus-config": [
          "prometheus.yml: scrape_configs +services-actuator-prometheus-10s-samples-50000 ~services-actuator-prometheus-10s (relabel_configs)",
        ],
      });
      expect(review.rollouts).toEqual([]);
      expect(review.reloads.map((reload) => reload.key)).toEqual([
        "ConfigMap observability/prometheus-config",
      ]);
      expect(review.rules).toEqual([]);
    }
  },
  REVIEW_MS,
);

test(
  "a team's scrape job and a discovery namespace each open a flow from Prometheus, with the graph's reason",
  async () => {
    for (const stack of STACKS) {
      const job = await reviewOf(stack, "metrics.extraScrapeConfigs", "Kafka");
      expect(job.flowsOpened.map((f) => [f.to, f.why])).toEqual([
        [{ kind: "namespace", namespace: "kafka" }, "extra scrape job kafka"],
      ]);
      expect(keys(job.resources)).toContain("NetworkPolicy observability/prometheus");
      const discovery = await reviewOf(stack, "metrics.annotationDiscovery.namespaces");
      // Where the ports annotated pods are scraped on are listed (prod), the team's port 9102 opens
      // into the apps' namespace too; elsewhere the discovery namespace opens on every port.
      const team = (f: (typeof discovery.flowsOpened)[number]) =>
        f.ports.length === 0 ? "every port" : f.ports.some((p) => p.port === 9102) ? 9102 : "not 9102";
      expect(discovery.flowsOpened.map((f) => [f.to, team(f)])).toEqual(
        stack === "prod"
          ? [
              [{ kind: "namespace", namespace: "tiketi-spring" }, 9102],
              [{ kind: "namespace", namespace: "payments-batch" }, 9102],
            ]
          : [[{ kind: "namespace", namespace: "payments-batch" }, "every port"]],
      );
    }
  },
  REVIEW_MS,
);

test(
  "a team's rules are added to Prometheus and Loki, each of which re-reads them without a restart",
  async () => {
    const review = await reviewOf("prod", "metrics.extraRuleFiles");
    expect(review.rollouts).toEqual([]);
    expect(
      review.reloads.flatMap((reload) =>
        reload.readers.map((reader) => [reload.key, reader.takes, reader.how]),
      ),
    ).toEqual([
      [
        "ConfigMap observability/loki-rules",
        "live",
        "Loki's ruler re-reads its rule files within a minute, no restart",
      ],
      [
        "ConfigMap observability/prometheus-config",
        "live",
        "Prometheus reloads it itself within 30s, no restart",
      ],
      [
        "ConfigMap observability/prometheus-rules",
        "live",
        "Prometheus reloads it itself within 30s, no restart",
      ],
    ]);
    expect(review.rules.filter((r) => r.change === "added").map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "Prometheus: alert PaymentsEndpointFailing (payments.rules.yml, group payments-http)",
        expect.stringMatching(/^Loki: alert /),
      ]),
    );
  },
  REVIEW_MS,
);

test(
  "a team's dashboards are named by title and uid, and Grafana rolls to mount them",
  async () => {
    const review = await reviewOf("kind", "grafana.extraDashboards");
    expect(review.dashboards).toEqual([
      { name: "Payments overview (payments-overview)", change: "added", fields: [] },
      { name: "Queue latency (payments-queue-latency)", change: "added", fields: [] },
    ]);
    expect(keys(review.rollouts)).toEqual(["StatefulSet observability/grafana"]);
  },
  REVIEW_MS,
);

test(
  "an image bump rolls the workload, naming the image as it was and will be",
  async () => {
    const review = await reviewOf("prod", "images.grafana");
    const bump = "image docker.io/grafana/grafana:12.1.1 → docker.io/grafana/grafana:12.2.0";
    // Loki's zone reader, which asks the API server for its node's zone, runs Grafana's image.
    expect(review.rollouts.map((w) => [w.key, w.because[0]])).toEqual([
      ["Deployment observability/grafana", `container grafana: ${bump}`],
      ["StatefulSet observability/loki", `container zone-reader: ${bump}`],
    ]);
  },
  REVIEW_MS,
);

test("single sign-on: the client secret is named by path in both formats, never by value", async () => {
  const value = "gho-client-secret-3f9a7c2e1b";
  const sso = DAY_TWO_EDITS.find((edit) => edit.keys.includes("grafana.sso"));
  const committed = readStackFile("kind", PROJECT_ROOT);
  const edited = sso?.edit(committed) ?? committed;
  const grafana = JSON.parse(edited.config["observability:grafana"]) as { sso: { clientSecret: string } };
  grafana.sso.clientSecret = value;
  const withValue = {
    ...edited,
    config: { ...edited.config, "observability:grafana": JSON.stringify(grafana) },
  };
  const base = await configSide("kind", committed);
  const after = await configSide("kind", withValue, base);
  // The value is in what the stack would deploy, so a review that printed it would show it.
  expect(JSON.stringify(after.render.registrations)).toContain(value);
  const review = await compare("kind", base, after, tools.promtool());
  // Pulumi marks observability:grafana secret as a whole: each of its values that changes is named, none shown.
  expect(review.secrets).toEqual(
    expect.arrayContaining([
      "Secret observability/grafana-credentials sso-client-secret",
      "observability:grafana.sso.clientSecret",
    ]),
  );
  expect(review.secrets).not.toContain("observability:grafana.dashboardsFolder");
  for (const format of ["markdown", "text"] as const) {
    const text = formatReview([review], format, "main", []);
    expect(text).toContain("sso-client-secret");
    expect(text).not.toContain(value);
  }
});

test.each([
  ["docs/day-two.md", "day-two-edits"],
  ["docs/review.md", "review-sample"],
])(
  "%s's region %s is the reviews' (npm run docs)",
  async (page, region) => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, page), "utf8");
    const [expected] = formatted([{ path: "region.md", content: dayTwoFigures(await allResults())[region] }]);
    expect(regionContent(text, region)).toBe(expected.content.trim());
  },
  // The edits' reviews, which the tests above made, or made here when this test runs alone.
  DAY_TWO_EDITS.length * REVIEW_MS,
);

test(
  "events switched off: the review deletes the event collector, its access and its scrape job, and nothing restarts",
  async () => {
    for (const stack of STACKS) {
      const review = await reviewOf(stack, "logs.clusterEvents");
      expect(review.atRisk).toEqual([]);
      expect(review.rollouts).toEqual([]);
      const deleted = review.resources.filter((r) => r.change === "deleted").map((r) => r.key);
      expect(deleted).toEqual(
        expect.arrayContaining([
          "Deployment observability/event-collector",
          "ClusterRole observability-event-collector",
          "ServiceAccount observability/event-collector",
        ]),
      );
      expect(deleted.filter((key) => !key.includes("event-collector"))).toEqual([]);
      expect(keys(review.reloads)).toContain("ConfigMap observability/prometheus-config");
    }
  },
  REVIEW_MS,
);
