import { z } from "zod";
import { Identity, awsRegion, dnsLabel, iamRoleArn, orOutput, s3Bucket, strict } from "../fields";

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
}).describe("Volumes and object storage.");

/** The schema of the `storage` section, by name (see Identity). */
export interface StorageSectionSchema extends Identity<typeof storageSectionSchema> {}
export const storageSection: StorageSectionSchema = storageSectionSchema;
