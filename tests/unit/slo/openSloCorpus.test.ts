// OpenSLO v1 documents written by others (tests/unit/slo/openslo/corpus/, each file's header names its
// repository, path and commit): every document either translates, its meaning checked, or is
// refused for a reason docs/extending.md gives (which counts them, from the files, with npm run docs).
import * as path from "path";
import { ConfigError } from "../../../config";
import { parseStackConfig } from "../../../config/load";
import { EVERY_WINDOW_RETENTION } from "../../../config/metrics/evaluatorReach";

const corpus = (name: string) => path.join("tests/unit/slo/openslo/corpus", name);

/** The SLOs of corpus files, or their problems without the key and file each starts with. */
function outcome(files: readonly string[], receivers: readonly string[] = []) {
  const slack = [{ webhookUrl: "https://hooks.slack.com/services/T0/B0/X", channel: "#oncall" }];
  try {
    const config = parseStackConfig(
      {
        alerting: { receivers: receivers.map((name) => ({ name, slack })) },
        metrics: { retentionTime: EVERY_WINDOW_RETENTION, openSloFiles: files.map(corpus) },
      },
      new Set(["alerting"]),
    );
    return { slos: config.metrics.slos, problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      slos: [],
      problems: error.problems.map((p) =>
        p.replace(/^observability:metrics\.openSloFiles\[\d+\] \([^)]*\) /, ""),
      ),
    };
  }
}

/** Each maestro SLO: name, objective, good and total (both PromQL rates over 5m, sampled at every evaluation), its alert. */
const MAESTRO: Record<string, readonly (readonly [string, number, string, string, string])[]> = {
  "maestro-server-slo.yaml": [
    [
      "advisory-lock-duration-slo",
      0.99,
      'sum(rate(advisory_lock_duration_bucket{le="0.5"}[5m]))',
      "sum(rate(advisory_lock_duration_count[5m]))",
      "LongDurationAdvisoryLock",
    ],
    [
      "advisory-lock-release-rate-slo",
      0.99,
      "sum(rate(advisory_unlock_count[5m]))",
      "sum(rate(advisory_lock_count[5m]))",
      "AdvisoryLockReleaseRateDrop",
    ],
    [
      "grpc-call-duration-slo",
      0.99,
      'sum(rate(grpc_server_processed_duration_seconds_bucket{le="0.5"}[5m]))',
      "sum(rate(grpc_server_processed_duration_count[5m]))",
      "HighGrpcCallDuration",
    ],
    [
      "resource-spec-resync-duration-slo",
      0.99,
      'sum(rate(resources_spec_resync_duration_seconds_bucket{le="10"}[5m]))',
      "sum(rate(resources_spec_resync_duration_seconds_count[5m]))",
      "ResourceSpecResyncTooSlow",
    ],
    [
      "rest-api-request-duration-slo",
      0.99,
      'sum(rate(rest_api_inbound_request_duration_bucket{le="1.0"}[5m]))',
      "sum(rate(rest_api_inbound_request_duration_count[5m]))",
      "ApiSlowResponse",
    ],
    [
      "rest-api-success-ratio-slo",
      0.99,
      'sum(rate(rest_api_inbound_request_count{code!~"5.."}[5m]))',
      "sum(rate(rest_api_inbound_request_count[5m]))",
      "TooManyUnsuccessfulApiRequests",
    ],
  ],
  "maestro-agent-slo.yaml": [
    [
      "rest-client-request-duration-slo",
      0.99,
      'sum(rate(rest_client_request_duration_seconds_bucket{le="0.5"}[5m]))',
      "sum(rate(rest_client_request_duration_seconds_count[5m]))",
      "HighRestClientLatency",
    ],
    [
      "rest-client-success-rate-slo",
      0.95,
      'sum(rate(rest_client_requests_total{code=~"2.."}[5m]))',
      "sum(rate(rest_client_requests_total[5m]))",
      "HighRestClientErrorRate",
    ],
    [
      "workqueue-queue-duration-slo",
      0.99,
      'sum(rate(workqueue_queue_duration_seconds_bucket{le="1.0"}[5m]))',
      "sum(rate(workqueue_queue_duration_seconds_count[5m]))",
      "HighWorkqueueQueueDuration",
    ],
    [
      "workqueue-processing-duration-slo",
      0.99,
      'sum(rate(workqueue_work_duration_seconds_bucket{le="1.0"}[5m]))',
      "sum(rate(workqueue_work_duration_seconds_count[5m]))",
      "LongWorkqueueProcessingTime",
    ],
    [
      "workqueue-retry-rate-slo",
      0.99,
      "sum(rate(workqueue_adds_total[5m])) - sum(rate(workqueue_retries_total[5m]))",
      "sum(rate(workqueue_adds_total[5m]))",
      "HighWorkqueueRetryRate",
    ],
  ],
};

describe.each(Object.entries(MAESTRO))(
  "openshift-online/maestro %s (a Service, an AlertNotificationTarget and its SLOs)",
  (file, slos) => {
    test("every SLO translates: objective, 30-day rolling window, good and total, and its burn-rate policy as an alert to the on-call receiver", () => {
      expect(outcome([file], ["maestro-on-call-slack"])).toEqual({
        problems: [],
        slos: slos.map(([name, objective, good, total, alert]) => ({
          name,
          service: file.replace("-slo.yaml", ""),
          objective,
          window: "30d",
          indicator: { kind: "ratio", good, total },
          // severity page, op gt, threshold 1, lookbackWindow 5m, alertAfter 1m, notificationTargets [maestro-on-call-slack]
          alerts: [
            {
              name: alert,
              severity: "critical",
              when: [{ burnRate: 1, window: "5m" }],
              for: "1m",
              receivers: ["maestro-on-call-slack"],
            },
          ],
        })),
      });
    });

    test("without an Alertmanager receiver of the notification target's name, each alert is refused naming the target", () => {
      const { problems } = outcome([file]);
      expect(problems).toHaveLength(slos.length);
      for (const [name, , , , alert] of slos) {
        expect(problems).toContainEqual(
          `observability:metrics.openSloFiles[0] must name Alertmanager receivers in its notification targets: the SLO ${name}'s alert ${alert} notifies maestro-on-call-slack, which is none of alerting.receivers or the platform's critical and warning (critical, warning); add a receiver of that name to alerting.receivers, or name one of those`,
        );
      }
    });
  },
);

const nonPrometheus = (type: string) =>
  `must be Prometheus (any case), not ${type}: the stack evaluates SLOs as rules of its own Prometheus, in PromQL; write the SLI over metrics that Prometheus scrapes`;
const rfc1123 =
  "must be an RFC 1123 label (lowercase letters, digits and '-', at most 63 characters), as OpenSLO requires";

test.each([
  [
    "OpenSLO/go-sdk data sources: Prometheus accepted, Datadog refused",
    ["go-sdk-data-sources.yaml"],
    [`document 1 item 2 (datadog): spec.type ${nonPrometheus("Datadog")}`],
  ],
  [
    "OpenSLO/go-sdk SLIs: the Prometheus raw ratio and threshold accepted, Datadog and AppDynamics refused",
    ["go-sdk-slis.yaml"],
    [
      `document 1 item 1 (search-availability): spec.ratioMetric.good.metricSource.type ${nonPrometheus("Datadog")}`,
      `document 1 item 1 (search-availability): spec.ratioMetric.total.metricSource.type ${nonPrometheus("Datadog")}`,
      `document 1 item 2 (end-user-response): spec.ratioMetric.bad.metricSource.type ${nonPrometheus("AppDynamics")}`,
      `document 1 item 2 (end-user-response): spec.ratioMetric.total.metricSource.type ${nonPrometheus("AppDynamics")}`,
    ],
  ],
  [
    "OpenSLO/go-sdk inlining input: a burn-rate condition with op lte, a notification target no receiver has; two SLOs on calendar weeks from Saturday noon, the SLI and the target accepted",
    ["go-sdk-inline-v1-slo.yaml"],
    [
      "document 1 item 4 (cpu-usage-breach): spec.condition.op must be gt or gte: a burn-rate alert fires while the budget burns faster than the threshold; lte would fire while it burns slowly, which is nearly always",
      "observability:metrics.openSloFiles[0] must name Alertmanager receivers in its notification targets: the SLO my-slo-2's alert MixOfReferencedAndInlinedObjects notifies pd-on-call-notification, which is none of alerting.receivers or the platform's critical and warning (critical, warning); add a receiver of that name to alerting.receivers, or name one of those",
    ],
  ],
  [
    "OpenSLO/oslo's validation input: op on a ratio's objective, a Service whose name has a space; its calendar weeks from Saturday noon and the other Service accepted",
    ["oslo-validate-v1.yaml"],
    [
      "document 1 item 1 (web-availability): spec.objectives[0].op is for a thresholdMetric: a ratioMetric's objective is its target alone",
      `document 1 item 3 (example service): metadata.name ${rfc1123}`,
    ],
  ],
  [
    "nobl9/build-on-aws-o11y-demo: Nobl9's metadata.project, and Amazon Managed Prometheus as the source",
    ["nobl9-build-on-aws-slos.yaml"],
    [
      "document 1 (mr-telemetry-app-latency): metadata.project is not a field of OpenSLO v1",
      "document 1 (mr-telemetry-app-latency): spec.indicator.spec.thresholdMetric.metricSource.type must be Prometheus (any case), not AmazonPrometheus: the stack evaluates SLOs as rules of its own Prometheus, not in another store; if it scrapes these metrics too, say type: Prometheus",
    ],
  ],
  [
    "gplasky/openslo-bridge: the SLI accepted; the SLO's one-day window is shorter than the ticket's, and it names an SLI no file has",
    ["openslo-bridge-slo.yaml", "openslo-bridge-sli.yaml"],
    [
      "document 1 (test-slo): spec.timeWindow[0].duration must be between 7d and 90d (got 1d)",
      "document 1 (test-slo): spec.indicatorRef names no SLI document: no file of metrics.openSloFiles has one named indicator-ref-string",
    ],
  ],
  [
    "OpenSLO/OpenSLO's Occurrences example, whose source type is a placeholder",
    ["openslo-occurrences.yaml"],
    [
      `document 1 (search-slo): spec.indicator.spec.thresholdMetric.metricSource.type ${nonPrometheus("Any")}`,
    ],
  ],
  [
    "OpenSLO/OpenSLO's RatioTimeslices example, whose source types are placeholders and whose ratio objective has op",
    ["openslo-ratio-timeslices.yaml"],
    [
      `document 1 (main-page): spec.indicator.spec.ratioMetric.good.metricSource.type ${nonPrometheus("Any")}`,
      `document 1 (main-page): spec.indicator.spec.ratioMetric.total.metricSource.type ${nonPrometheus("Any")}`,
      "document 1 (main-page): spec.objectives[0].op is for a thresholdMetric: a ratioMetric's objective is its target alone",
    ],
  ],
  [
    "OpenSLO/OpenSLO's Timeslices example: placeholder sources, a calendar window of one minute, a second objective, op on a ratio objective",
    ["openslo-timeslices-calendar.yaml"],
    [
      `document 1 (service-availability): spec.indicator.spec.ratioMetric.good.metricSource.type ${nonPrometheus("Any")}`,
      `document 1 (service-availability): spec.indicator.spec.ratioMetric.total.metricSource.type ${nonPrometheus("Any")}`,
      "document 1 (service-availability): spec.timeWindow[0].duration must be 1w, 1M or 1Q with a calendar: the stack counts calendar weeks, months and quarters (got 1m)",
      "document 1 (service-availability): spec.objectives[1] is a second objective: the stack gives an SLO one objective, its series and alerts named after it. Write another SLO document for this one",
      "document 1 (service-availability): spec.objectives[0].op is for a thresholdMetric: a ratioMetric's objective is its target alone",
    ],
  ],
  [
    "OpenSLO/OpenSLO's low-traffic example: placeholder sources on a calendar week, op on a ratio objective",
    ["openslo-low-traffic-calendar.yaml"],
    [
      `document 1 (service-availability): spec.indicator.spec.ratioMetric.good.metricSource.type ${nonPrometheus("Any")}`,
      `document 1 (service-availability): spec.indicator.spec.ratioMetric.total.metricSource.type ${nonPrometheus("Any")}`,
      "document 1 (service-availability): spec.objectives[0].op is for a thresholdMetric: a ratioMetric's objective is its target alone",
    ],
  ],
  [
    "OpenSLO/slogen's calendar sample: a name in capitals, Sumo Logic sources, a window of Week, a policy named without a mapping",
    ["slogen-logs-req-calendar.yaml"],
    [
      `document 1 (TestSLO_Calendar): metadata.name ${rfc1123}`,
      `document 1 (TestSLO_Calendar): spec.indicator.spec.ratioMetric.good.metricSource.type ${nonPrometheus("sumologic-logs")}`,
      `document 1 (TestSLO_Calendar): spec.indicator.spec.ratioMetric.total.metricSource.type ${nonPrometheus("sumologic-logs")}`,
      "document 1 (TestSLO_Calendar): spec.timeWindow[0].duration must be a duration shorthand such as 5m, 28d or 4w (a number and m, h, d, w, M, Q or Y)",
      "document 1 (TestSLO_Calendar): spec.alertPolicies[0] must be a mapping: {alertPolicyRef: <name>}, or the document inline",
    ],
  ],
  [
    "oskoperator/osko's sample, a Kubernetes resource of another API group",
    ["osko-slo.yaml"],
    [
      "document 1 (mimir-ingestion-latency): apiVersion must be openslo/v1 (got \"openslo.com/v1\"): that is another schema (v1alpha's objectives, osko's Kubernetes resources); rewrite it as openslo/v1",
    ],
  ],
  [
    "OpenSLO/slogen's burn-rate policy: names in capitals, two conditions in one policy, conditions without op, a negative lookback, targets no file has",
    ["slogen-burn-rate-policy.yaml"],
    [
      `document 1 (High-Burn-Rate): metadata.name ${rfc1123}`,
      `document 1 (High-Burn-Rate): spec.conditions[0].metadata.name ${rfc1123}`,
      "document 1 (High-Burn-Rate): spec.conditions[0].spec.condition.op is required",
      "document 1 (High-Burn-Rate): spec.conditions[0].spec.condition.lookbackWindow must be a duration shorthand such as 5m, 28d or 4w (a number and m, h, d, w, M, Q or Y)",
      `document 1 (High-Burn-Rate): spec.conditions[1].metadata.name ${rfc1123}`,
      "document 1 (High-Burn-Rate): spec.conditions[1].spec.condition.op is required",
      "document 1 (High-Burn-Rate): spec.conditions[1].spec.condition.lookbackWindow must be a duration shorthand such as 5m, 28d or 4w (a number and m, h, d, w, M, Q or Y)",
      `document 1 (High-Burn-Rate): spec.notificationTargets[0].targetRef ${rfc1123}`,
      `document 1 (High-Burn-Rate): spec.notificationTargets[1].targetRef ${rfc1123}`,
      "document 1 (High-Burn-Rate): spec.conditions must hold one condition, as OpenSLO v1 allows: write one AlertPolicy per condition",
      "document 1 (High-Burn-Rate): spec.notificationTargets[0].targetRef names no AlertNotificationTarget document: no file of metrics.openSloFiles has one named DevOpsMail",
      "document 1 (High-Burn-Rate): spec.notificationTargets[1].targetRef names no AlertNotificationTarget document: no file of metrics.openSloFiles has one named DevOpsSlack",
    ],
  ],
])("%s", (_, files, problems) => {
  expect(outcome(files)).toEqual({ slos: [], problems });
});
