import { parsePulumiConfig } from "../../../config/load";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { ClusterFacts } from "../../../scripts/preflight/clusterFacts";
import { PreflightPlan, preflightFindings } from "../../../scripts/preflight/findings";
import { Finding, exitCode, formatFindings } from "../../../scripts/cli/findings";
import { stackConfig } from "../../support/renderedStacks";

// Recorded from what EKS, its add-ons and the AWS Load Balancer Controller chart create; the
// cluster test (tests/cluster/preflight.test.ts) checks the same against a real API server.
const AWS_NODE: ClusterFacts["daemonSets"][number] = {
  namespace: "kube-system",
  name: "aws-node",
  numberReady: 3,
  containers: [
    {
      name: "aws-node",
      image: "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1",
      args: [],
    },
    {
      name: "aws-eks-nodeagent",
      image:
        "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/amazon/aws-network-policy-agent:v1.2.2-eksbuild.1",
      args: ["--enable-ipv6=false", "--enable-network-policy=true", "--enable-cloudwatch-logs=false"],
    },
  ],
};
const ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

const complete: ClusterFacts = {
  storageClasses: [{ name: "gp3", provisioner: "ebs.csi.aws.com", allowVolumeExpansion: true }],
  csiDrivers: ["ebs.csi.aws.com", "efs.csi.aws.com"],
  ingressClasses: [{ name: "alb", controller: "ingress.k8s.aws/alb" }],
  albControllers: [{ namespace: "kube-system", name: "aws-load-balancer-controller", readyReplicas: 2 }],
  daemonSets: [
    AWS_NODE,
    {
      namespace: "kube-system",
      name: "kube-proxy",
      numberReady: 3,
      containers: [
        {
          name: "kube-proxy",
          image: "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/eks/kube-proxy:v1.33.0-eksbuild.2",
          args: [],
        },
      ],
    },
  ],
  crds: ["ingressclassparams.elbv2.k8s.aws", "policyendpoints.networking.k8s.aws"],
  namespaces: ["default", "kube-system", "kube-public", "kube-node-lease", "tiketi-spring"],
  existingAccounts: [],
  oidcIssuer: ISSUER,
};

const prodPlan: PreflightPlan = {
  config: stackConfig("prod"),
  accounts: [
    { namespace: "observability", name: "loki", roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-loki" },
    {
      namespace: "observability",
      name: "tempo",
      roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-tempo",
    },
    ...[
      ["prometheus", "sidecar"],
      ["thanos-store", "store"],
      ["thanos-compactor", "compactor"],
    ].map(([name, role]) => ({
      namespace: "observability",
      name,
      roleArn: `arn:aws:iam::111111111111:role/tiketi-prod-thanos-${role}`,
    })),
  ],
};

const check = (facts: Partial<ClusterFacts>, plan: PreflightPlan = prodPlan) =>
  preflightFindings(plan, { ...complete, ...facts });
const lines = (findings: readonly Finding[], status: Finding["status"]) =>
  findings.filter((f) => f.status === status).map((f) => f.message);

describe("preflight findings on recorded clusters", () => {
  test("a complete EKS cluster: nothing blocking, no warning, the issuer's IAM provider named", () => {
    const findings = check({});
    expect(lines(findings, "blocking")).toEqual([]);
    expect(lines(findings, "warning")).toEqual([]);
    expect(exitCode(findings)).toBe(0);
    expect(lines(findings, "ok")).toContain(
      `service-account issuer ${ISSUER}: trust policies federate oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE (it must exist in IAM: eksctl utils associate-iam-oidc-provider --cluster tiketi-prod --region ap-northeast-2 --approve)`,
    );
  });

  test("Calico or Cilium enforce NetworkPolicies in place of the VPC CNI agent", () => {
    const withoutAgent = { ...AWS_NODE, containers: [AWS_NODE.containers[0]] };
    const calico = {
      namespace: "calico-system",
      name: "calico-node",
      numberReady: 3,
      containers: [{ name: "calico-node", image: "quay.io/calico/node:v3.30.2", args: [] }],
    };
    expect(lines(check({ daemonSets: [withoutAgent, calico] }), "ok")).toContain(
      "NetworkPolicies are enforced by Calico (calico-system/calico-node, 3 ready)",
    );
    const cilium = {
      ...calico,
      namespace: "kube-system",
      name: "cilium",
      containers: [{ name: "cilium-agent", image: "quay.io/cilium/cilium:v1.17.6", args: [] }],
    };
    expect(exitCode(check({ daemonSets: [cilium] }))).toBe(0);
  });

  test("VPC CNI before 1.14 (no agent container) or an enforcer with no ready pod: blocking on eks", () => {
    const old = check({ daemonSets: [{ ...AWS_NODE, containers: [AWS_NODE.containers[0]] }] });
    expect(lines(old, "blocking")).toEqual([
      expect.stringMatching(
        /^NETWORKPOLICIES ARE NOT ENFORCED \(kube-system\/aws-node has no network policy agent container \(VPC CNI < 1.14\)\)/,
      ),
    ]);
    const notReady = check({ daemonSets: [{ ...AWS_NODE, numberReady: 0 }] });
    expect(lines(notReady, "blocking")).toEqual([
      expect.stringMatching(
        /^NETWORKPOLICIES ARE NOT ENFORCED \(kube-system\/aws-node, container aws-eks-nodeagent has no ready pod\)/,
      ),
    ]);
  });

  test("EKS Auto Mode: its built-in EBS driver and load balancing pass without an in-cluster controller", () => {
    const findings = check({
      storageClasses: [{ name: "gp3", provisioner: "ebs.csi.eks.amazonaws.com", allowVolumeExpansion: true }],
      csiDrivers: ["ebs.csi.eks.amazonaws.com"],
      ingressClasses: [{ name: "alb", controller: "eks.amazonaws.com/alb" }],
      albControllers: [],
      crds: ["policyendpoints.networking.k8s.aws"],
    });
    expect(lines(findings, "blocking")).toEqual([]);
    expect(lines(findings, "ok")).toContain(
      "IngressClass alb is served by EKS Auto Mode's load balancing (eks.amazonaws.com/alb)",
    );
  });

  test("a class of the in-tree EBS plugin is served by the EBS CSI driver; another controller's IngressClass warns", () => {
    const inTree = check({
      storageClasses: [{ name: "gp3", provisioner: "kubernetes.io/aws-ebs", allowVolumeExpansion: true }],
    });
    expect(lines(inTree, "ok")).toContain("CSIDriver ebs.csi.aws.com is registered");
    const nginx = check({ ingressClasses: [{ name: "alb", controller: "k8s.io/ingress-nginx" }] });
    expect(lines(nginx, "warning")).toEqual([
      expect.stringMatching(
        /^IngressClass alb is served by k8s.io\/ingress-nginx, not the AWS Load Balancer Controller/,
      ),
    ]);
    expect(exitCode(nginx)).toBe(0);
  });

  test("a class that expands while storage.allowVolumeExpansion is false: a warning that says the key", () => {
    // As `pulumi config set --path 'observability:storage.allowVolumeExpansion' false` leaves the file.
    const { config: file, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const storage = { ...(JSON.parse(file["observability:storage"]) as object), allowVolumeExpansion: false };
    const config = parsePulumiConfig(
      { ...file, "observability:storage": JSON.stringify(storage) },
      secretKeys,
    );
    const findings = check({}, { ...prodPlan, config });
    expect(findings.filter((f) => f.status === "warning")).toEqual([
      {
        status: "warning",
        message:
          "StorageClass gp3 can expand volumes but storage.allowVolumeExpansion is false: the config refuses *.storageSize increases it could apply in place",
        fix: "pulumi config set --path 'observability:storage.allowVolumeExpansion' true",
      },
    ]);
  });

  test("IRSA: an existing ServiceAccount without a role is taken over; unreadable issuer and unused role warn", () => {
    const findings = check({
      existingAccounts: [{ namespace: "observability", name: "loki" }],
      oidcIssuer: undefined,
    });
    expect(lines(findings, "blocking")).toEqual([]);
    expect(lines(findings, "warning")).toEqual([
      "the cluster's service-account issuer could not be read (/.well-known/openid-configuration)",
    ]);
    const unused = preflightFindings(
      { ...prodPlan, accounts: prodPlan.accounts.filter((a) => a.name !== "tempo") },
      complete,
    );
    expect(lines(unused, "warning")).toEqual([
      "role arn:aws:iam::111111111111:role/tiketi-prod-tempo (storage.s3.tempo.roleArn) is on no ServiceAccount of the render",
    ]);
  });

  test("kind: nothing is blocking, not even a cluster without any NetworkPolicy enforcer", () => {
    const kindPlan: PreflightPlan = { config: stackConfig("kind"), accounts: [] };
    const findings = preflightFindings(kindPlan, {
      ...complete,
      storageClasses: [
        { name: "standard", provisioner: "rancher.io/local-path", allowVolumeExpansion: false },
      ],
      ingressClasses: [],
      daemonSets: [],
      namespaces: ["default", "kube-system"],
    });
    expect(exitCode(findings)).toBe(0);
    expect(lines(findings, "warning")).toEqual([expect.stringMatching(/^NETWORKPOLICIES ARE NOT ENFORCED/)]);
    expect(lines(findings, "ok")).toContain(
      "apps.namespaces tiketi-spring, observability-demo are created by the stack",
    );
  });

  test("the report: one line per finding with its mark and fix, then what to do", () => {
    const text = formatFindings(check({ namespaces: [], storageClasses: [] }));
    expect(text.split("\n")[0]).toBe(
      "✗ StorageClass gp3 (storage.className) does not exist: every PersistentVolumeClaim of the stack would stay Pending. " +
        "Fix: create it: provisioner ebs.csi.aws.com, parameters.type gp3, allowVolumeExpansion true, volumeBindingMode WaitForFirstConsumer; or set storage.className to one of: none",
    );
    expect(text.trimEnd().split("\n").pop()).toBe(
      "2 blocking, 0 warning(s): fix the ✗ lines before pulumi up",
    );
  });
});
