import { StackConfig } from "../../config";
import { knownText } from "../../config/fields";
import { eksCluster } from "../cli/eksCluster";
import { IrsaServiceAccount, trustSubject } from "./irsa";

interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

interface PermissionPolicy {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

interface TrustPolicy {
  readonly Version: "2012-10-17";
  readonly Statement: readonly {
    readonly Effect: "Allow";
    readonly Principal: { readonly Federated: string };
    readonly Action: "sts:AssumeRoleWithWebIdentity";
    readonly Condition: { readonly StringEquals: Readonly<Record<string, string | readonly string[]>> };
  }[];
}

/** One workload's use of an IAM role: which key names the role and what the workload does on AWS. */
interface RoleUse {
  readonly purpose: string;
  readonly configKey: string;
  readonly roleArn: string;
  readonly statements: readonly PolicyStatement[];
}

/** A role to create in IAM, with what every workload using it needs. */
interface IamRole {
  readonly roleArn: string;
  readonly uses: readonly RoleUse[];
  /** `system:serviceaccount:<ns>:<name>` of each ServiceAccount the stack annotates with the role. */
  readonly subjects: readonly string[];
  readonly trustPolicy: TrustPolicy;
  readonly permissionPolicy: PermissionPolicy;
}

// Loki's chunk and index store and its compactor's retention deletes (Grafana's Loki AWS guide).
const LOKI_S3_OBJECT_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"];
// Tempo's documented minimum ("Amazon S3 permissions"): Loki's plus the object tagging it uses.
const TEMPO_S3_OBJECT_ACTIONS = [...LOKI_S3_OBJECT_ACTIONS, "s3:GetObjectTagging", "s3:PutObjectTagging"];

// Thanos on the metrics bucket (its object storage docs' S3 policy): the sidecars upload blocks, the
// store gateways read them, the compactor also writes compacted blocks and deletes their sources.
const THANOS_READ_ACTIONS = ["s3:GetObject"];
const THANOS_UPLOAD_ACTIONS = ["s3:GetObject", "s3:PutObject"];
const THANOS_COMPACT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];

// What Grafana needs to query Amazon Managed Prometheus through SigV4.
const AMP_QUERY_ACTIONS = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"];

const partitionOf = (arn: string): string => arn.split(":")[1];
const accountOf = (arn: string): string => arn.split(":")[4];

function s3Use(
  purpose: string,
  configKey: string,
  backend: { readonly bucket: string; readonly roleArn: string },
  objectActions: readonly string[],
): RoleUse {
  const bucketArn = `arn:${partitionOf(backend.roleArn)}:s3:::${backend.bucket}`;
  return {
    purpose,
    configKey,
    roleArn: backend.roleArn,
    statements: [
      { Sid: `${purpose}ListBucket`, Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
      { Sid: `${purpose}Objects`, Effect: "Allow", Action: objectActions, Resource: [`${bucketArn}/*`] },
    ],
  };
}

/** The workspace of an AMP remote-write URL (`…/workspaces/<id>/api/v1/remote_write`), or any. */
function ampWorkspaceArn(url: string, region: string, roleArn: string): string {
  const workspace = /\/workspaces\/([^/]+)\//.exec(url)?.[1] ?? "*";
  return `arn:${partitionOf(roleArn)}:aps:${region}:${accountOf(roleArn)}:workspace/${workspace}`;
}

function ampUse(
  purpose: string,
  roleKey: "roleArn" | "queryRoleArn",
  actions: readonly string[],
  remoteWrite: NonNullable<StackConfig["metrics"]["remoteWrite"]>,
): RoleUse {
  const configKey = `metrics.remoteWrite.${roleKey}`;
  const roleArn = knownText(remoteWrite[roleKey], configKey);
  const url = knownText(remoteWrite.url, "metrics.remoteWrite.url");
  return {
    purpose,
    configKey,
    roleArn,
    statements: [
      {
        Sid: `${purpose}Amp`,
        Effect: "Allow",
        Action: actions,
        Resource: [ampWorkspaceArn(url, remoteWrite.region, roleArn)],
      },
    ],
  };
}

/** Loki's or Tempo's bucket and role as the stack file names them. */
function stackFileBucket(
  s3: NonNullable<NonNullable<StackConfig["storage"]["s3"]>["loki"]>,
  backend: "loki" | "tempo",
) {
  return {
    bucket: knownText(s3.bucket, `storage.s3.${backend}.bucket`),
    roleArn: knownText(s3.roleArn, `storage.s3.${backend}.roleArn`),
  };
}

/** The key of the role each Thanos workload on the metrics bucket assumes. */
type MetricsRoleKey = "roleArn" | "storeRoleArn" | "compactorRoleArn";

/** The metrics bucket and one workload's role as the stack file names them. */
function metricsBucket(config: StackConfig, roleKey: MetricsRoleKey) {
  const storage = config.metrics.objectStorage;
  return storage === undefined
    ? undefined
    : {
        bucket: knownText(storage.bucket, "metrics.objectStorage.bucket"),
        roleArn: knownText(storage[roleKey], `metrics.objectStorage.${roleKey}`),
      };
}

/** Every workload that assumes an IAM role, one entry each: adding a role is adding an entry. */
const ROLE_USES: readonly ((config: StackConfig) => RoleUse | undefined)[] = [
  (config) => {
    const loki = config.storage.s3?.loki;
    return loki === undefined
      ? undefined
      : s3Use("Loki", "storage.s3.loki.roleArn", stackFileBucket(loki, "loki"), LOKI_S3_OBJECT_ACTIONS);
  },
  (config) => {
    const tempo = config.storage.s3?.tempo;
    return tempo === undefined
      ? undefined
      : s3Use("Tempo", "storage.s3.tempo.roleArn", stackFileBucket(tempo, "tempo"), TEMPO_S3_OBJECT_ACTIONS);
  },
  ...(
    [
      ["ThanosSidecar", "roleArn", THANOS_UPLOAD_ACTIONS],
      ["ThanosStore", "storeRoleArn", THANOS_READ_ACTIONS],
      ["ThanosCompactor", "compactorRoleArn", THANOS_COMPACT_ACTIONS],
    ] as const
  ).map(([purpose, roleKey, actions]) => (config: StackConfig) => {
    const bucket = metricsBucket(config, roleKey);
    return bucket === undefined
      ? undefined
      : s3Use(purpose, `metrics.objectStorage.${roleKey}`, bucket, actions);
  }),
  (config) => {
    const remoteWrite = config.metrics.remoteWrite;
    return remoteWrite === undefined
      ? undefined
      : ampUse("Prometheus", "roleArn", ["aps:RemoteWrite"], remoteWrite);
  },
  (config) => {
    const remoteWrite = config.metrics.remoteWrite;
    return remoteWrite === undefined
      ? undefined
      : ampUse("Grafana", "queryRoleArn", AMP_QUERY_ACTIONS, remoteWrite);
  },
];

/** The role uses the stack config asks for. */
export function roleUses(config: StackConfig): RoleUse[] {
  return ROLE_USES.map((use) => use(config)).filter((use): use is RoleUse => use !== undefined);
}

/** Stands for the cluster's OIDC id when the issuer could not be read; formatIamRoles says where it is. */
const OIDC_ID_PLACEHOLDER = "<OIDC-ID>";

/** The issuer as IAM names its OIDC provider: host and path, no scheme. */
export function oidcProviderPath(issuer: string): string {
  return issuer.replace(/^https:\/\//, "").replace(/\/$/, "");
}

/**
 * The IAM roles the stack needs, one per role ARN (workloads may share a role): the trust policy
 * admits exactly the ServiceAccounts the render annotates with it, through the cluster's OIDC
 * provider; the permission policy is what each workload using the role does on AWS.
 * `oidcIssuer` is the cluster's service-account issuer URL (undefined: a placeholder says where
 * it comes from).
 */
export function iamRoles(
  config: StackConfig,
  accounts: readonly IrsaServiceAccount[],
  oidcIssuer: string | undefined,
): IamRole[] {
  const uses = roleUses(config);
  const provider =
    oidcIssuer === undefined
      ? `oidc.eks.${config.cluster.region}.amazonaws.com/id/${OIDC_ID_PLACEHOLDER}`
      : oidcProviderPath(oidcIssuer);
  return [...new Set(uses.map((use) => use.roleArn))].map((roleArn) => {
    const subjects = accounts.filter((a) => a.roleArn === roleArn).map(trustSubject);
    const own = uses.filter((use) => use.roleArn === roleArn);
    return {
      roleArn,
      uses: own,
      subjects,
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: {
              Federated: `arn:${partitionOf(roleArn)}:iam::${accountOf(roleArn)}:oidc-provider/${provider}`,
            },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${provider}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
                [`${provider}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      },
      permissionPolicy: { Version: "2012-10-17", Statement: own.flatMap((use) => use.statements) },
    };
  });
}

/** The roles as text to paste: one block per role, each policy as JSON. */
export function formatIamRoles(roles: readonly IamRole[], config: StackConfig): string {
  if (roles.length === 0) {
    return "# no IAM role: the stack config names none (storage.s3.*.roleArn, metrics.remoteWrite.roleArn, metrics.objectStorage.roleArn, storeRoleArn, compactorRoleArn)\n";
  }
  const blocks = roles.map((role) => {
    const name = role.roleArn.split("/").pop() ?? "";
    return [
      `# ${role.roleArn}  (${role.uses.map((u) => `${u.purpose}: ${u.configKey}`).join("; ")})`,
      `# trust policy: aws iam create-role --role-name ${name} --assume-role-policy-document file://trust.json`,
      JSON.stringify(role.trustPolicy, null, 2),
      `# permission policy: aws iam put-role-policy --role-name ${name} --policy-name observability --policy-document file://permissions.json`,
      JSON.stringify(role.permissionPolicy, null, 2),
    ].join("\n");
  });
  const eks = eksCluster(config.cluster);
  const placeholder = roles.some((role) => JSON.stringify(role.trustPolicy).includes(OIDC_ID_PLACEHOLDER))
    ? [
        `# ${OIDC_ID_PLACEHOLDER}: the cluster's issuer could not be read; it is the last part of ` +
          `aws eks describe-cluster --name ${eks.name} --region ${eks.region} --query cluster.identity.oidc.issuer --output text`,
      ]
    : [];
  return [...placeholder, ...blocks].join("\n\n") + "\n";
}
