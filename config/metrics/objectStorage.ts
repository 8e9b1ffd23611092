import { z } from "zod";
import { durationMs } from "../durations";
import {
  Identity,
  awsRegion,
  duration,
  hostPort,
  iamRoleArn,
  named,
  nonEmpty,
  orOutput,
  pemCertificate,
  quantity,
  reportDuplicates,
  s3Bucket,
  secretString,
  strict,
} from "../fields";

// The compactor downsamples raw blocks once they span 40 hours and 5-minute blocks once they span 10
// days (Thanos' compactor docs): a resolution deleted sooner is never downsampled.
const RAW_MINIMUM = "40h";
const FIVE_MINUTES_MINIMUM = "10d";

/** A retention's length, where 0 (`0d`) is forever, as the compactor reads it. */
const retentionMs = (value: string) => (durationMs(value) === 0 ? Infinity : durationMs(value));

const atLeast = (minimum: string, why: string) =>
  duration.refine((value) => retentionMs(value) >= durationMs(minimum), {
    message: `must be at least ${minimum} (or 0d, forever): ${why}`,
  });

/** The resolutions from finest to coarsest: each coarser one is kept at least as long as the finer. */
const RESOLUTIONS = ["raw", "fiveMinutes", "oneHour"] as const;
const MINIMUMS: Readonly<Record<(typeof RESOLUTIONS)[number], string>> = {
  raw: RAW_MINIMUM,
  fiveMinutes: FIVE_MINUTES_MINIMUM,
  oneHour: "0d",
};

/** Raw samples' retention in the bucket: what Thanos Ruler's queries read (they read raw samples only). */
export const rawRetention = atLeast(
  RAW_MINIMUM,
  "raw blocks are downsampled to 5 minutes once they span 40 hours",
);

/** Another cluster's Thanos sidecar (or any StoreAPI) the hub's Thanos Query reads over TLS. */
const remoteStore = strict({
  address: hostPort("thanos-sidecar.staging.example.com:443").describe(
    "host:port of the StoreAPI, reachable from this cluster.",
  ),
  serverName: nonEmpty
    .optional()
    .describe("The name its certificate is checked against; the address' host when unset."),
});

/** Another cluster's StoreAPI of `metrics.objectStorage.hub.stores`, read over TLS. */
export interface RemoteStore extends Identity<z.input<typeof remoteStore>> {}

const hubSchema = strict({
  stores: z
    .array(named<RemoteStore>()(remoteStore))
    .default([])
    .describe("Other clusters' sidecars, for their recent samples the bucket does not hold yet."),
  tls: strict({
    ca: pemCertificate.describe("The CA that signed the stores' serving certificates."),
    certificate: pemCertificate
      .optional()
      .describe("This hub's client certificate, for stores that ask for one (mutual TLS)."),
    key: secretString.optional().describe("The client certificate's private key (PEM)."),
  })
    .optional()
    .describe("How Thanos Query checks the stores and, with a certificate, proves itself to them."),
}).superRefine((hub, ctx) => {
  reportDuplicates(
    [...hub.stores.entries()].map(([i, store]) => [i, store.address] as const),
    ["stores"],
    ctx,
  );
  if (hub.stores.length > 0 && hub.tls === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["tls"],
      message:
        "is required with hub.stores (ca, and certificate with key for mutual TLS): stores are read over TLS only",
    });
  }
  if ((hub.tls?.certificate === undefined) !== (hub.tls?.key === undefined)) {
    ctx.addIssue({ code: "custom", path: ["tls", "key"], message: "and tls.certificate go together" });
  }
});

const objectStorageSchema = strict({
  bucket: orOutput(s3Bucket).describe("The bucket every Prometheus replica's sidecar uploads its blocks to."),
  region: awsRegion.describe("The bucket's region."),
  roleArn: orOutput(iamRoleArn).describe(
    "The IRSA role of Prometheus' pods, whose Thanos sidecars list, read and upload blocks; never delete.",
  ),
  storeRoleArn: orOutput(iamRoleArn).describe(
    "The IRSA role of the store gateways, which list and read blocks.",
  ),
  compactorRoleArn: orOutput(iamRoleArn).describe(
    "The IRSA role of the compactor, the one workload that deletes blocks (compacted sources, retention): list, read, write, delete.",
  ),
  retention: strict({
    raw: rawRetention.default("30d").describe("Every scraped sample; at least 40h, or 0d (forever)."),
    fiveMinutes: atLeast(
      FIVE_MINUTES_MINIMUM,
      "5-minute blocks are downsampled to 1 hour once they span 10 days",
    )
      .default("180d")
      .describe(
        "5-minute aggregates (count, sum, min, max, counter) of the raw samples; at least 10d and at least raw, or 0d (forever).",
      ),
    oneHour: duration.default("2y").describe("1-hour aggregates; at least fiveMinutes, or 0d (forever)."),
  })
    .superRefine((retention, ctx) => {
      RESOLUTIONS.slice(1).forEach((resolution, i) => {
        const finer = RESOLUTIONS[i];
        const own = retentionMs(retention[resolution]);
        // One below its own minimum is refused for that alone.
        if (own >= durationMs(MINIMUMS[resolution]) && own < retentionMs(retention[finer])) {
          ctx.addIssue({
            code: "custom",
            path: [resolution],
            message: `must be at least ${finer} (${retention[finer]}), or 0d (forever): downsampled blocks exist to keep the long view once the finer ones are deleted, and deleted first they answer nothing the ${finer} blocks do not`,
          });
        }
      });
    })
    .default({})
    .describe(
      "How long the compactor keeps each resolution in the bucket: raw ≤ fiveMinutes ≤ oneHour, 0d meaning forever as Thanos reads it.",
    ),
  storeGateway: strict({
    storageSize: quantity.default("10Gi").describe("Each store gateway's volume: its index headers."),
  })
    .default({})
    .describe("The two store gateways that serve the bucket's blocks to Thanos Query."),
  compactor: strict({
    storageSize: quantity
      .default("100Gi")
      .describe("The compactor's working volume: a group's source blocks and their compacted result."),
  })
    .default({})
    .describe("The one compactor of this cluster's blocks."),
  hub: hubSchema
    .optional()
    .describe(
      "This stack is the hub: its store gateway serves every cluster's blocks in the bucket, its dashboards pick a cluster, and Thanos Query also reads `stores`.",
    ),
})
  .superRefine((storage, ctx) => {
    // One role each, so that only the compactor may delete the bucket's history.
    const roles = [
      ["roleArn", storage.roleArn],
      ["storeRoleArn", storage.storeRoleArn],
      ["compactorRoleArn", storage.compactorRoleArn],
    ] as const;
    roles.forEach(([key, arn], i) => {
      const same = roles.slice(0, i).find(([, other]) => typeof arn === "string" && other === arn);
      if (same !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `must not be ${same[0]}'s role: each workload gets one role with its own S3 actions, so that only the compactor can delete blocks (npm run preflight -- <stack> --iam prints the three policies)`,
        });
      }
    });
  })
  .describe(
    "Thanos: each replica's sidecar uploads its blocks to S3, two store gateways serve them, one compactor compacts, downsamples and applies retention; eks only.",
  );

export const metricsObjectStorage = objectStorageSchema;
