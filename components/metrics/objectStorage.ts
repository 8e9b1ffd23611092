import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { objectMeta } from "../common/metadata";
import { MountedConfig } from "../common/workload";
import { toYaml, toYamlInput } from "../common/yaml";
import { THANOS_PATHS } from "./names";

export type ObjectStorage = NonNullable<StackConfig["metrics"]["objectStorage"]>;

/** The external label by which clusters sharing the bucket tell their blocks apart. */
export const CLUSTER_LABEL = "cluster";

const OBJSTORE_VOLUME = "objstore";
const OBJSTORE_CONFIG_MAP = "thanos-objstore";

/**
 * Thanos' S3 client config for the bucket. Credentials come from the AWS SDK's default chain,
 * which takes the pod's IRSA web identity: no key is written anywhere.
 */
export function objectStoreConfig(storage: ObjectStorage) {
  return {
    type: "S3",
    config: {
      bucket: storage.bucket,
      endpoint: `s3.${storage.region}.amazonaws.com`,
      region: storage.region,
      aws_sdk_auth: true,
    },
  };
}

/**
 * A relabelling that keeps only the blocks of cluster `name` (its `cluster` external label), so a
 * cluster's compactor and store gateways leave the other clusters' blocks in a shared bucket alone.
 */
export function ownClusterBlocks(name: string): string {
  return toYaml([{ source_labels: [CLUSTER_LABEL], regex: name, action: "keep" }]);
}

/** The bucket's client config, mounted by every Thanos process that reads or writes the bucket. */
export interface ObjectStoreMount {
  readonly mountedConfig: MountedConfig;
  readonly volumeMount: { readonly name: string; readonly mountPath: string; readonly readOnly: true };
  /** The config text: a pod rolls when it changes, as Thanos reads it only at start. */
  readonly config: pulumi.Input<string>;
  /** The flag that points a Thanos command at it. */
  readonly flag: string;
}

/** The options of a workload reading the bucket: its client config mounted, rolled on by its text. */
export const bucketConfigOptions = (objectStore: ObjectStoreMount) => ({
  mountedConfig: [objectStore.mountedConfig],
  rolledBy: { objstore: objectStore.config },
});

/** Registers the ConfigMap `thanos-objstore` holding the bucket's client config. */
export function deployObjectStoreConfig(
  name: string,
  namespace: string,
  storage: ObjectStorage,
  opts: pulumi.CustomResourceOptions,
): ObjectStoreMount {
  const config = toYamlInput(objectStoreConfig(storage));
  const file = THANOS_PATHS.objstoreFile.slice(THANOS_PATHS.objstoreDir.length + 1);
  const resource = new k8s.core.v1.ConfigMap(
    `${name}-${OBJSTORE_CONFIG_MAP}`,
    {
      metadata: objectMeta({ name: OBJSTORE_CONFIG_MAP, component: "metrics" }, namespace),
      data: { [file]: config },
    },
    opts,
  );
  return {
    mountedConfig: {
      resource,
      volumes: [{ name: OBJSTORE_VOLUME, configMap: { name: OBJSTORE_CONFIG_MAP } }],
    },
    volumeMount: { name: OBJSTORE_VOLUME, mountPath: THANOS_PATHS.objstoreDir, readOnly: true },
    config,
    flag: `--objstore.config-file=${THANOS_PATHS.objstoreFile}`,
  };
}
