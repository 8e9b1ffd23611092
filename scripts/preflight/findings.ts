import { StackConfig } from "../../config";
import { ALB_CONTROLLER_SELECTOR, ClusterFacts, KNOWN_CRDS } from "./clusterFacts";
import { iamRoles, oidcProviderPath } from "./iamPolicies";
import { eksCluster } from "../cli/eksCluster";
import { IrsaServiceAccount, trustSubject } from "./irsa";
import { Finding } from "../cli/findings";

const ok = (message: string): Finding => ({ status: "ok", message });
const blocking = (message: string, fix: string): Finding => ({ status: "blocking", message, fix });
const warning = (message: string, fix: string): Finding => ({ status: "warning", message, fix });

/** What the stack needs of the cluster, as the preflight sees it. */
export interface PreflightPlan {
  readonly config: StackConfig;
  /** The ServiceAccounts the render annotates with an IAM role. */
  readonly accounts: readonly IrsaServiceAccount[];
}

// The EBS CSI driver's name, and EKS Auto Mode's built-in one.
const EBS_DRIVERS = ["ebs.csi.aws.com", "ebs.csi.eks.amazonaws.com"];
// The in-tree EBS plugin is gone (Kubernetes 1.27): its classes are served by the CSI driver.
const IN_TREE_EBS = "kubernetes.io/aws-ebs";
const ALB_CONTROLLER = "ingress.k8s.aws/alb";
// EKS Auto Mode runs load balancing in the control plane: there is no Deployment to look for.
const AUTO_MODE_ALB_CONTROLLER = "eks.amazonaws.com/alb";
// kind v0.24.0 shipped kindnetd v20240813, the first to embed kube-network-policies.
const FIRST_ENFORCING_KINDNETD = 20240813;

function storageFindings({ profile, cluster, storage }: StackConfig, facts: ClusterFacts): Finding[] {
  const eks = eksCluster(cluster);
  const found = facts.storageClasses.find((sc) => sc.name === storage.className);
  if (found === undefined) {
    return [
      blocking(
        `StorageClass ${storage.className} (storage.className) does not exist: every PersistentVolumeClaim of the stack would stay Pending`,
        profile === "eks"
          ? `create it: provisioner ebs.csi.aws.com, parameters.type gp3, allowVolumeExpansion true, volumeBindingMode WaitForFirstConsumer; or set storage.className to one of: ${facts.storageClasses.map((sc) => sc.name).join(", ") || "none"}`
          : `set storage.className to one of: ${facts.storageClasses.map((sc) => sc.name).join(", ") || "none"}`,
      ),
    ];
  }
  const findings: Finding[] = [ok(`StorageClass ${found.name} exists (provisioner ${found.provisioner})`)];
  if (profile === "eks") {
    const driver = found.provisioner === IN_TREE_EBS ? EBS_DRIVERS[0] : found.provisioner;
    if (!facts.csiDrivers.includes(driver)) {
      findings.push(
        blocking(
          `CSIDriver ${driver} is not registered: no volume of StorageClass ${found.name} can be provisioned`,
          `install the Amazon EBS CSI driver: aws eks create-addon --cluster-name ${eks.name} --region ${eks.region} --addon-name aws-ebs-csi-driver --service-account-role-arn <role with AmazonEBSCSIDriverPolicy>`,
        ),
      );
    } else if (!EBS_DRIVERS.includes(driver)) {
      findings.push(
        warning(
          `StorageClass ${found.name} is provisioned by ${driver}, not the EBS CSI driver: the eks sizing assumes EBS gp3 volumes`,
          `use a StorageClass of provisioner ebs.csi.aws.com (storage.className)`,
        ),
      );
    } else {
      findings.push(ok(`CSIDriver ${driver} is registered`));
    }
  }
  if (found.allowVolumeExpansion === storage.allowVolumeExpansion) {
    findings.push(
      ok(
        `StorageClass ${found.name} ${found.allowVolumeExpansion ? "can" : "cannot"} expand volumes, as storage.allowVolumeExpansion says`,
      ),
    );
  } else if (storage.allowVolumeExpansion) {
    findings.push(
      warning(
        `StorageClass ${found.name} cannot expand volumes but storage.allowVolumeExpansion is true: raising a *.storageSize would fail on the cluster`,
        `kubectl patch storageclass ${found.name} -p '{"allowVolumeExpansion": true}', or set storage.allowVolumeExpansion to false`,
      ),
    );
  } else {
    findings.push(
      warning(
        `StorageClass ${found.name} can expand volumes but storage.allowVolumeExpansion is false: the config refuses *.storageSize increases it could apply in place`,
        `pulumi config set --path 'observability:storage.allowVolumeExpansion' true`,
      ),
    );
  }
  return findings;
}

function ingressFindings({ exposure, cluster }: StackConfig, facts: ClusterFacts): Finding[] {
  if (exposure.mode !== "ingress" || exposure.ingress === undefined) {
    return [ok(`exposure.mode is ${exposure.mode}: no IngressClass needed`)];
  }
  const { className } = exposure.ingress;
  const found = facts.ingressClasses.find((ic) => ic.name === className);
  if (found === undefined) {
    return [
      blocking(
        `IngressClass ${className} (exposure.ingress.className) does not exist: Grafana's Ingress would never get a load balancer`,
        `install the AWS Load Balancer Controller (its chart creates IngressClass alb), or set exposure.ingress.className to one of: ${facts.ingressClasses.map((ic) => ic.name).join(", ") || "none"}`,
      ),
    ];
  }
  if (found.controller === AUTO_MODE_ALB_CONTROLLER) {
    return [
      ok(`IngressClass ${className} is served by EKS Auto Mode's load balancing (${found.controller})`),
    ];
  }
  if (found.controller !== ALB_CONTROLLER) {
    return [
      warning(
        `IngressClass ${className} is served by ${found.controller}, not the AWS Load Balancer Controller: the alb.ingress.kubernetes.io annotations of exposure.ingress.annotations mean nothing to it`,
        `set exposure.ingress.className to the AWS Load Balancer Controller's class, or replace the annotations with ${found.controller}'s`,
      ),
    ];
  }
  const running = facts.albControllers.filter((d) => d.readyReplicas > 0);
  const hasCrd = facts.crds.includes(KNOWN_CRDS.ingressClassParams);
  if (running.length === 0 || !hasCrd) {
    const seen = [
      facts.albControllers.length === 0
        ? `no Deployment labelled ${ALB_CONTROLLER_SELECTOR}`
        : `${facts.albControllers.map((d) => `${d.namespace}/${d.name}`).join(", ")} has no ready replica`,
      hasCrd ? undefined : `no CRD ${KNOWN_CRDS.ingressClassParams}`,
    ].filter((part) => part !== undefined);
    return [
      ok(`IngressClass ${className} exists (controller ${found.controller})`),
      blocking(
        `the AWS Load Balancer Controller is not running (${seen.join("; ")}): Grafana's Ingress would never get an ALB`,
        `install it with its IAM role: helm install aws-load-balancer-controller eks/aws-load-balancer-controller -n kube-system --set clusterName=${eksCluster(cluster).name} --set serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=<role>`,
      ),
    ];
  }
  return [
    ok(`IngressClass ${className} exists (controller ${found.controller})`),
    ok(
      `the AWS Load Balancer Controller is running (${running.map((d) => `${d.namespace}/${d.name}, ${d.readyReplicas} ready`).join("; ")})`,
    ),
  ];
}

type DaemonSet = ClusterFacts["daemonSets"][number];

/** Whether a DaemonSet enforces NetworkPolicies: a verdict, or undefined when it is no enforcer. */
interface Enforcer {
  readonly name: string;
  readonly verdict: (ds: DaemonSet, facts: ClusterFacts) => { enforcing: boolean; why: string } | undefined;
}

const named =
  (names: readonly string[]) =>
  (ds: DaemonSet): { enforcing: boolean; why: string } | undefined =>
    names.includes(ds.name) ? { enforcing: true, why: `${ds.namespace}/${ds.name}` } : undefined;

/** NetworkPolicy enforcers, each recognised by its DaemonSet. */
const ENFORCERS: readonly Enforcer[] = [
  {
    name: "the VPC CNI network policy agent",
    verdict: (ds, facts) => {
      if (ds.name !== "aws-node") {
        return undefined;
      }
      // The EKS add-on names the container aws-eks-nodeagent; its image is aws-network-policy-agent.
      const agent = ds.containers.find(
        (c) =>
          c.image.includes("aws-network-policy-agent") ||
          ["aws-eks-nodeagent", "aws-network-policy-agent"].includes(c.name),
      );
      if (agent === undefined) {
        return {
          enforcing: false,
          why: `${ds.namespace}/aws-node has no network policy agent container (VPC CNI < 1.14)`,
        };
      }
      if (!agent.args.includes("--enable-network-policy=true")) {
        return {
          enforcing: false,
          why: `${ds.namespace}/aws-node's ${agent.name} runs without --enable-network-policy=true`,
        };
      }
      if (!facts.crds.includes(KNOWN_CRDS.policyEndpoints)) {
        return {
          enforcing: false,
          why: `the agent is on but no network policy controller serves ${KNOWN_CRDS.policyEndpoints}`,
        };
      }
      return { enforcing: true, why: `${ds.namespace}/aws-node, container ${agent.name}` };
    },
  },
  { name: "Calico", verdict: named(["calico-node"]) },
  { name: "Cilium", verdict: named(["cilium"]) },
  { name: "Antrea", verdict: named(["antrea-agent"]) },
  { name: "kube-network-policies", verdict: named(["kube-network-policies"]) },
  {
    name: "kindnet",
    verdict: (ds) => {
      if (ds.name !== "kindnet") {
        return undefined;
      }
      const image = ds.containers.map((c) => c.image).find((i) => i.includes("kindnetd")) ?? "";
      const built = Number(/kindnetd:v(\d{8})/.exec(image)?.[1] ?? 0);
      return built >= FIRST_ENFORCING_KINDNETD
        ? { enforcing: true, why: `${ds.namespace}/kindnet, ${image}` }
        : {
            enforcing: false,
            why: `${ds.namespace}/kindnet runs ${image || "an unknown image"}, older than kind 0.24's kindnetd (v${FIRST_ENFORCING_KINDNETD}), which first enforces NetworkPolicies`,
          };
    },
  },
];

function networkPolicyFindings({ profile, cluster }: StackConfig, facts: ClusterFacts): Finding[] {
  const eks = eksCluster(cluster);
  const verdicts = facts.daemonSets.flatMap((ds) =>
    ENFORCERS.flatMap((enforcer) => {
      const verdict = enforcer.verdict(ds, facts);
      return verdict === undefined ? [] : [{ enforcer: enforcer.name, ds, ...verdict }];
    }),
  );
  const enforcing = verdicts.filter((v) => v.enforcing && v.ds.numberReady > 0);
  if (enforcing.length > 0) {
    return enforcing.map((v) =>
      ok(`NetworkPolicies are enforced by ${v.enforcer} (${v.why}, ${v.ds.numberReady} ready)`),
    );
  }
  const reasons = verdicts.map((v) => (v.enforcing ? `${v.why} has no ready pod` : v.why));
  const message =
    `NETWORKPOLICIES ARE NOT ENFORCED (${reasons.join("; ") || "no Calico, Cilium, Antrea, kube-network-policies or VPC CNI agent found"}): ` +
    "the stack's default-deny and every allow would be silently ignored, every pod could reach every other";
  return profile === "eks"
    ? [
        blocking(
          message,
          `enable the VPC CNI agent (VPC CNI >= 1.14, EKS >= 1.25): aws eks update-addon --cluster-name ${eks.name} --region ${eks.region} --addon-name vpc-cni --configuration-values '{"enableNetworkPolicy":"true"}' (the managed add-on turns on the agent and its controller; a self-managed VPC CNI also needs enable-network-policy-controller: "true" in kube-system/amazon-vpc-cni); or install Calico or Cilium`,
        ),
      ]
    : [
        warning(
          message,
          "use kind >= 0.24 (its kindnetd enforces them; the kernel needs nft_queue), or install Calico",
        ),
      ];
}

function namespaceFindings({ apps }: StackConfig, facts: ClusterFacts): Finding[] {
  if (apps.createNamespaces) {
    return apps.namespaces.length === 0
      ? []
      : [ok(`apps.namespaces ${apps.namespaces.join(", ")} are created by the stack`)];
  }
  return apps.namespaces.map((ns) =>
    facts.namespaces.includes(ns)
      ? ok(`Namespace ${ns} (apps.namespaces) exists`)
      : blocking(
          `Namespace ${ns} (apps.namespaces) does not exist, and apps.createNamespaces is false: the stack publishes its ConfigMap and NetworkPolicies there`,
          `kubectl create namespace ${ns} (its team owns it), or set apps.createNamespaces to true`,
        ),
  );
}

function irsaFindings(plan: PreflightPlan, facts: ClusterFacts): Finding[] {
  if (plan.accounts.length === 0) {
    return [];
  }
  const eks = eksCluster(plan.config.cluster);
  const accounts = plan.accounts.map((account) => {
    const existing = facts.existingAccounts.find(
      (e) => e.namespace === account.namespace && e.name === account.name,
    );
    const subject = trustSubject(account);
    return existing?.roleArn !== undefined && existing.roleArn !== account.roleArn
      ? blocking(
          `ServiceAccount ${account.namespace}/${account.name} exists with role ${existing.roleArn}, the stack sets ${account.roleArn}`,
          `decide which role is right: change the stack's roleArn key, or remove the other owner of ${account.namespace}/${account.name}`,
        )
      : ok(`IRSA: ${account.namespace}/${account.name} assumes ${account.roleArn}; trust subject ${subject}`);
  });
  const unused = iamRoles(plan.config, plan.accounts, facts.oidcIssuer)
    .filter((role) => role.subjects.length === 0)
    .map((role) =>
      warning(
        `role ${role.roleArn} (${[...new Set(role.uses.map((u) => u.configKey))].join(", ")}) is on no ServiceAccount of the render`,
        "check the key names the role the workload should use",
      ),
    );
  const issuer =
    facts.oidcIssuer === undefined
      ? warning(
          "the cluster's service-account issuer could not be read (/.well-known/openid-configuration)",
          `aws eks describe-cluster --name ${eks.name} --region ${eks.region} --query cluster.identity.oidc.issuer`,
        )
      : facts.oidcIssuer.startsWith("https://oidc.eks.")
        ? ok(
            `service-account issuer ${facts.oidcIssuer}: trust policies federate oidc-provider/${oidcProviderPath(facts.oidcIssuer)} (it must exist in IAM: eksctl utils associate-iam-oidc-provider --cluster ${eks.name} --region ${eks.region} --approve)`,
          )
        : warning(
            `service-account issuer ${facts.oidcIssuer} is not an EKS OIDC issuer: IRSA works only once IAM has an OIDC provider for it that can fetch its keys`,
            `register it in IAM (aws iam create-open-id-connect-provider --url ${facts.oidcIssuer} --client-id-list sts.amazonaws.com), or run the stack on EKS`,
          );
  return [...accounts, ...unused, issuer];
}

/** Every finding about what the stack needs of the cluster, in the order a user fixes them. */
export function preflightFindings(plan: PreflightPlan, facts: ClusterFacts): Finding[] {
  return [
    ...storageFindings(plan.config, facts),
    ...ingressFindings(plan.config, facts),
    ...networkPolicyFindings(plan.config, facts),
    ...namespaceFindings(plan.config, facts),
    ...irsaFindings(plan, facts),
  ];
}
