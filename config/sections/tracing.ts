import { z } from "zod";
import {
  Identity,
  duration,
  fromCliText,
  positiveSeconds,
  positiveWholeNumber,
  quantity,
  replicas,
  strict,
} from "../fields";
import { queueVolumeShortfall } from "../traceQueue";

const probability = fromCliText(
  z
    .number({ invalid_type_error: "must be a number between 0 and 1" })
    .min(0, "must be between 0 and 1")
    .max(1, "must be between 0 and 1"),
);

const tracingSectionSchema = strict({
  samplingProbability: probability.describe(
    "Share of ordinary traces kept: applied by the apps, or by the collector when tail sampling is on.",
  ),
  tailSampling: strict({
    enabled: z
      .boolean()
      .describe(
        "On: apps send every span and the collector keeps every error trace, every slow trace and samplingProbability of the rest.",
      ),
    latencyThresholdMs: fromCliText(
      z
        .number({ invalid_type_error: "must be a whole number of milliseconds above 0" })
        .int("must be a whole number of milliseconds above 0")
        .positive("must be a whole number of milliseconds above 0"),
    ).describe("Traces slower than this are always kept."),
  }).describe("Sampling in the collector on whole traces."),
  latencyBucketsSeconds: z
    .array(positiveSeconds)
    .min(1, "must list at least one bucket bound")
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), "must be in increasing order")
    .describe(
      "Span-metric and service-graph histogram bounds, increasing; every latency threshold must be one of them.",
    ),
  collectorReplicas: replicas(10).describe(
    "Replicas of the collector the apps send to; above 1, or with tail sampling, the collector runs in two tiers.",
  ),
  aggregatorReplicas: replicas(10).describe(
    "Replicas of the trace-ID-routed aggregator tier, when there is one.",
  ),
  retention: duration.describe("How long Tempo keeps traces."),
  storageSize: quantity.describe("Tempo's volume."),
  queue: strict({
    outageMinutes: positiveWholeNumber.describe(
      "Minutes of trace-store outage each collector's persistent sending queue holds at spansPerSecond; beyond them the collector refuses spans and counts them (TracesDropped).",
    ),
    spansPerSecond: positiveWholeNumber.describe(
      "The span rate the queue is sized for: the rated load into one collector tier (each pod is sized to take it all while another is down).",
    ),
    storageSize: quantity.describe(
      "Each collector pod's queue volume; must hold outageMinutes at spansPerSecond (2 KiB per span, measured, plus a quarter).",
    ),
  })
    .superRefine((queue, ctx) => {
      const shortfall = queueVolumeShortfall(queue);
      if (shortfall !== undefined) {
        ctx.addIssue({ code: "custom", path: ["storageSize"], message: shortfall });
      }
    })
    .describe("The collectors' persistent sending queues, which hold spans while Tempo is unreachable."),
}).describe("The OpenTelemetry Collector and Tempo.");

/** The schema of the `tracing` section, by name (see Identity). */
export interface TracingSectionSchema extends Identity<typeof tracingSectionSchema> {}
export const tracingSection: TracingSectionSchema = tracingSectionSchema;
