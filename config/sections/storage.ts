import { z } from "zod";
import { Identity, awsRegion, cidr, dnsLabel, iamRoleArn, orOutput, s3Bucket, strict } from "../fields";

const s3Backend = strict({
  bucket: orOutput(s3Bucket).describe("The bucket."),
  region: awsRegion.describe("The bucket's region."),
  roleArn: orOutput(iamRoleArn).describe("The IRSA role that reads and writes it."),
});

const storageSectionSchema = strict({
  className: dnsLabel.describe("StorageClass of every volume."),
  allowVolumeExpansion: z
    .boolean()
    .describe("Whether that StorageClass has allowVolumeExpansion: a *.storageSize increase needs it."),
  s3: strict({
    loki: s3Backend.optional().describe("Loki's chunks and index; required on eks."),
    tempo: s3Backend.optional().describe("Tempo's blocks; required on eks."),
  })
    .optional()
    .describe("Loki's and Tempo's buckets with their IRSA roles; refused on kind."),
  endpointCidrs: z
    .array(cidr)
    .min(1, "must list at least one CIDR")
    .optional()
    .describe(
      "The addresses the pods reach S3 and STS at: the CIDRs of the region's S3 prefix list (the gateway endpoint's route: aws ec2 get-managed-prefix-list-entries) and the subnets of an STS interface endpoint. Every workload that reads or writes a bucket (Loki, Tempo, the Thanos sidecars, store gateways and compactor) may connect to these only, on 443. Unset, to any address, and the preview warns on eks. Only with storage.s3.",
    ),
})
  .superRefine((value, ctx) => {
    if (value.endpointCidrs !== undefined && value.s3 === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["endpointCidrs"],
        message: "applies only with storage.s3: without buckets no workload connects to S3",
      });
    }
  })
  .describe("Volumes and object storage.");

/** The schema of the `storage` section, by name (see Identity). */
export interface StorageSectionSchema extends Identity<typeof storageSectionSchema> {}
export const storageSection: StorageSectionSchema = storageSectionSchema;
