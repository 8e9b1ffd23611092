import { parsePulumiConfig } from "../../../config/load";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { formatIamRoles, iamRoles, roleUses } from "../../../scripts/preflight/iamPolicies";
import { eksCluster } from "../../../scripts/cli/eksCluster";
import { irsaServiceAccounts } from "../../../scripts/preflight/irsa";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { policyAllows } from "../../kit/iamPolicy";
import { Json } from "../../kit/json";

// What `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints (AWS's docs example id).
const ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const PROVIDER = "oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const LOKI_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-loki";
const TEMPO_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-tempo";
const SIDECAR_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-thanos-sidecar";
const STORE_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-thanos-store";
const COMPACTOR_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-thanos-compactor";
/** What a Thanos workload may do on the metrics bucket: list it, and read, write and delete its objects. */
const S3_ACTIONS = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
/** IAM's answer for an S3 action: ListBucket names the bucket, the others an object in it. */
const allows = (policy: Parameters<typeof policyAllows>[0], action: string, object: string, bucket: string) =>
  policyAllows(policy, action, action === "s3:ListBucket" ? bucket : object);

const AMP_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-prometheus";
const GRAFANA_ROLE = "arn:aws:iam::111111111111:role/tiketi-prod-grafana";
const AMP_URL =
  "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789/api/v1/remote_write";

/**
 * The prod stack file with AMP remote write set in place of the metrics bucket (the two exclude each
 * other), as `pulumi config set --path` would store it.
 */
function prodWithRemoteWrite() {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const metrics = JSON.parse(config["observability:metrics"] ?? "{}") as Record<string, unknown>;
  delete metrics.objectStorage;
  return {
    config: {
      ...config,
      "observability:metrics": JSON.stringify({
        ...metrics,
        // Prometheus evaluates every rule, so it keeps the month the SLO windows count.
        retentionTime: "30d",
        remoteWrite: {
          url: AMP_URL,
          region: "ap-northeast-2",
          roleArn: AMP_ROLE,
          queryRoleArn: GRAFANA_ROLE,
        },
      }),
    },
    secretKeys,
  };
}

describe("the IRSA ServiceAccounts come from the render", () => {
  test("prod: Loki's and Tempo's, with the roles of storage.s3.*.roleArn, and Prometheus', the store gateways' and the compactor's with a role each of metrics.objectStorage", async () => {
    expect(irsaServiceAccounts((await rendered("prod")).objects)).toEqual([
      { namespace: "observability", name: "loki", roleArn: LOKI_ROLE },
      { namespace: "observability", name: "prometheus", roleArn: SIDECAR_ROLE },
      { namespace: "observability", name: "tempo", roleArn: TEMPO_ROLE },
      { namespace: "observability", name: "thanos-compactor", roleArn: COMPACTOR_ROLE },
      { namespace: "observability", name: "thanos-store", roleArn: STORE_ROLE },
    ]);
  });

  test("with AMP remote write, Prometheus's and Grafana's too, and every annotated ServiceAccount has a role use", async () => {
    const { config, secretKeys } = prodWithRemoteWrite();
    const accounts = irsaServiceAccounts((await renderWithConfig("prod", config, secretKeys)).objects);
    expect(accounts).toContainEqual({ namespace: "observability", name: "prometheus", roleArn: AMP_ROLE });
    expect(accounts).toContainEqual({ namespace: "observability", name: "grafana", roleArn: GRAFANA_ROLE });
    // A workload that gains a role without an entry in ROLE_USES fails here.
    const uses = roleUses(parsePulumiConfig(config, secretKeys));
    expect(accounts.filter((a) => !uses.some((u) => u.roleArn === a.roleArn))).toEqual([]);
  });
});

describe("the IAM policy documents", () => {
  test("Loki's role: trusted by its ServiceAccount through the cluster's OIDC provider; S3 on its bucket only", async () => {
    const accounts = irsaServiceAccounts((await rendered("prod")).objects);
    const [loki, tempo] = iamRoles(stackConfig("prod"), accounts, ISSUER);
    expect(loki.trustPolicy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${PROVIDER}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${PROVIDER}:sub`]: "system:serviceaccount:observability:loki",
              [`${PROVIDER}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    expect(loki.permissionPolicy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "LokiListBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: ["arn:aws:s3:::tiketi-prod-loki-chunks"],
        },
        {
          Sid: "LokiObjects",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
          Resource: ["arn:aws:s3:::tiketi-prod-loki-chunks/*"],
        },
      ],
    });
    // Tempo's documented minimum adds object tagging.
    expect(tempo.roleArn).toBe(TEMPO_ROLE);
    expect(tempo.subjects).toEqual(["system:serviceaccount:observability:tempo"]);
    expect(tempo.permissionPolicy.Statement[1]).toEqual({
      Sid: "TempoObjects",
      Effect: "Allow",
      Action: [
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:GetObjectTagging",
        "s3:PutObjectTagging",
      ],
      Resource: ["arn:aws:s3:::tiketi-prod-tempo-traces/*"],
    });
  });

  test("the metrics bucket: a role each for the sidecars, the store gateways and the compactor, and only the compactor's may delete", async () => {
    const accounts = irsaServiceAccounts((await rendered("prod")).objects);
    const roles = iamRoles(stackConfig("prod"), accounts, ISSUER);
    const bucket = "arn:aws:s3:::tiketi-prod-metrics";
    // What each ServiceAccount of the render may do on the bucket, as IAM evaluates its role's policy.
    const may = (account: string) =>
      S3_ACTIONS.filter((action) => {
        const role = roles.find((r) => r.subjects.includes(`system:serviceaccount:observability:${account}`));
        return (
          role !== undefined && allows(role.permissionPolicy, action, `${bucket}/01HBLOCK/meta.json`, bucket)
        );
      });
    expect(
      Object.fromEntries(["prometheus", "thanos-store", "thanos-compactor"].map((a) => [a, may(a)])),
    ).toEqual({
      prometheus: ["s3:ListBucket", "s3:GetObject", "s3:PutObject"],
      "thanos-store": ["s3:ListBucket", "s3:GetObject"],
      "thanos-compactor": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    });
    expect(roles.find((role) => role.roleArn === STORE_ROLE)?.subjects).toEqual([
      "system:serviceaccount:observability:thanos-store",
    ]);
  });

  test("one role for two of them is refused, naming the key", () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const metrics = JSON.parse(config["observability:metrics"]) as Json;
    metrics.objectStorage.compactorRoleArn = metrics.objectStorage.storeRoleArn;
    expect(() =>
      parsePulumiConfig({ ...config, "observability:metrics": JSON.stringify(metrics) }, secretKeys),
    ).toThrow(
      "observability:metrics.objectStorage.compactorRoleArn must not be storeRoleArn's role: each workload gets one role with its own S3 actions, so that only the compactor can delete blocks",
    );
  });

  test("AMP: Prometheus may remote-write and Grafana query, each on the workspace of the URL only", () => {
    const { config, secretKeys } = prodWithRemoteWrite();
    const parsed = parsePulumiConfig(config, secretKeys);
    const accounts = [
      { namespace: "observability", name: "prometheus", roleArn: AMP_ROLE },
      { namespace: "observability", name: "grafana", roleArn: GRAFANA_ROLE },
    ];
    const roles = iamRoles(parsed, accounts, ISSUER);
    const workspace =
      "arn:aws:aps:ap-northeast-2:111111111111:workspace/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    expect(roles.find((role) => role.roleArn === AMP_ROLE)?.permissionPolicy.Statement).toEqual([
      { Sid: "PrometheusAmp", Effect: "Allow", Action: ["aps:RemoteWrite"], Resource: [workspace] },
    ]);
    const grafana = roles.find((role) => role.roleArn === GRAFANA_ROLE);
    expect(grafana?.subjects).toEqual(["system:serviceaccount:observability:grafana"]);
    expect(grafana?.permissionPolicy.Statement).toEqual([
      {
        Sid: "GrafanaAmp",
        Effect: "Allow",
        Action: ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"],
        Resource: [workspace],
      },
    ]);
  });

  test("two workloads sharing a role: one role, both subjects, both permission sets", () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const storage = JSON.parse(config["observability:storage"]) as { s3: { tempo: { roleArn: string } } };
    storage.s3.tempo.roleArn = LOKI_ROLE;
    const parsed = parsePulumiConfig(
      { ...config, "observability:storage": JSON.stringify(storage) },
      secretKeys,
    );
    const roles = iamRoles(
      parsed,
      [
        { namespace: "observability", name: "loki", roleArn: LOKI_ROLE },
        { namespace: "observability", name: "tempo", roleArn: LOKI_ROLE },
      ],
      ISSUER,
    );
    // Beside it, the metrics bucket's roles, which no account of this list carries.
    expect(roles.map((role) => role.roleArn)).toEqual([LOKI_ROLE, SIDECAR_ROLE, STORE_ROLE, COMPACTOR_ROLE]);
    expect(roles[0].trustPolicy.Statement[0].Condition.StringEquals[`${PROVIDER}:sub`]).toEqual([
      "system:serviceaccount:observability:loki",
      "system:serviceaccount:observability:tempo",
    ]);
    expect(roles[0].permissionPolicy.Statement.map((s) => s.Sid)).toEqual([
      "LokiListBucket",
      "LokiObjects",
      "TempoListBucket",
      "TempoObjects",
    ]);
  });

  test("without the issuer: a placeholder, and where its value comes from", async () => {
    const config = stackConfig("prod");
    const roles = iamRoles(config, irsaServiceAccounts((await rendered("prod")).objects), undefined);
    expect(roles[0].trustPolicy.Statement[0].Principal.Federated).toBe(
      "arn:aws:iam::111111111111:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/<OIDC-ID>",
    );
    const text = formatIamRoles(roles, config);
    expect(text).toContain(
      "# <OIDC-ID>: the cluster's issuer could not be read; it is the last part of aws eks describe-cluster --name tiketi-prod --region ap-northeast-2 --query cluster.identity.oidc.issuer --output text",
    );
    // Each policy prints as JSON that parses back to the document, ready to paste.
    const printed = [...text.matchAll(/^\{\n[\s\S]*?^\}$/gm)].map((m) => JSON.parse(m[0]) as unknown);
    expect(printed).toEqual(roles.flatMap((role) => [role.trustPolicy, role.permissionPolicy]));
  });

  test("the aws commands name the EKS cluster of the context's ARN, else cluster.name and region", () => {
    const { cluster } = stackConfig("prod");
    const context = "arn:aws:eks:eu-west-1:222222222222:cluster/platform-a";
    expect(eksCluster({ ...cluster, kubeContext: context })).toEqual({
      name: "platform-a",
      region: "eu-west-1",
    });
    expect(eksCluster({ ...cluster, kubeContext: "observability-prod" })).toEqual({
      name: "tiketi-prod",
      region: "ap-northeast-2",
    });
  });

  test("kind: no role, and --iam says which keys would name one", () => {
    const config = stackConfig("kind");
    expect(iamRoles(config, [], undefined)).toEqual([]);
    expect(formatIamRoles([], config)).toBe(
      "# no IAM role: the stack config names none (storage.s3.*.roleArn, metrics.remoteWrite.roleArn, metrics.objectStorage.roleArn, storeRoleArn, compactorRoleArn)\n",
    );
  });
});
