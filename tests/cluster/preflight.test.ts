import * as k8s from "@kubernetes/client-node";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { PreflightPlan } from "../../scripts/preflight/findings";
import { exitCode, formatFindings } from "../../scripts/cli/findings";
import { preflightPlan, runPreflight } from "../../scripts/preflight/plan";
import { EKS_SHAPE, TestCluster, startCluster, waitFor } from "../kit/cluster";
import { Json } from "../kit/json";

/**
 * `npm run preflight` against a real API server: one control plane, first shaped like kind, then
 * like a complete EKS cluster (the objects EKS, its add-ons and the AWS Load Balancer Controller
 * create), then with each prerequisite taken away in turn and put back.
 */
describe("npm run preflight on a real API server", () => {
  let cluster: TestCluster;
  let objects: k8s.KubernetesObjectApi;
  let plans: Record<"kind" | "prod", PreflightPlan>;
  const transcripts: string[] = [];

  /** Runs the preflight as the script does; its output is kept for the log. */
  const preflight = async (stack: "kind" | "prod", label: string, keep = true) => {
    const { findings } = await runPreflight(plans[stack]);
    const text = formatFindings(findings);
    if (keep)
      transcripts.push(`--- npm run preflight -- ${stack}: ${label} (exit ${exitCode(findings)})\n${text}`);
    return { text, code: exitCode(findings), findings };
  };

  /** The stack file's config, pointed at the test cluster's kubeconfig and context. */
  const planFor = async (stack: "kind" | "prod") => {
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    const clusterKey = "observability:cluster";
    const own = JSON.parse(config[clusterKey]) as Json;
    const pointed = {
      ...config,
      [clusterKey]: JSON.stringify({ ...own, kubeContext: "test", kubeconfig: cluster.kubeconfigPath }),
    };
    return preflightPlan(stack, pointed, secretKeys);
  };

  /**
   * The script itself, `npm run preflight -- prod`, on the committed stack file: $KUBECONFIG holds
   * the test cluster under the context name Pulumi.prod.yaml's cluster.kubeContext gives.
   */
  const cli = async (label: string, ...flags: string[]) => {
    const { config } = readStackFile("prod", PROJECT_ROOT);
    const context = (JSON.parse(config["observability:cluster"]) as Json).kubeContext as string;
    const kubeconfig = JSON.parse(fs.readFileSync(cluster.kubeconfigPath, "utf8")) as Json;
    kubeconfig.contexts[0].name = context;
    kubeconfig["current-context"] = "none";
    const file = path.join(path.dirname(cluster.kubeconfigPath), "kubeconfig-prod");
    fs.writeFileSync(file, JSON.stringify(kubeconfig));
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
        ["--transpiler", "sucrase/ts-node-plugin", "scripts/preflight.ts", "prod", ...flags],
        { cwd: PROJECT_ROOT, env: { ...process.env, KUBECONFIG: file } },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout: stdout + stderr }),
      );
    });
    transcripts.push(
      `--- npm run preflight -- ${["prod", ...flags].join(" ")}: ${label} (exit ${result.code})\n${result.stdout}`,
    );
    return result;
  };

  const create = async (object: Json) => {
    await objects.create(object as k8s.KubernetesObject);
  };
  const remove = async (object: Json) => {
    await objects.delete(object as k8s.KubernetesObject);
  };
  /** Read, change, replace; again on a conflict (the DaemonSet controller writes status meanwhile). */
  const edit = async (object: Json, change: (current: Json) => void) => {
    await waitFor(
      async () => {
        const read = await objects.read(object as k8s.KubernetesObject & { metadata: { name: string } });
        const current = read.body as Json;
        change(current);
        await objects.replace(current as k8s.KubernetesObject);
        return true;
      },
      `${String(object.kind)} ${String(object.metadata.name)} edited`,
    );
  };

  const storageClass = (name: string, provisioner: string, allowVolumeExpansion: boolean): Json => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name },
    provisioner,
    allowVolumeExpansion,
    volumeBindingMode: "WaitForFirstConsumer",
    ...(provisioner === "ebs.csi.aws.com" ? { parameters: { type: "gp3" } } : {}),
  });
  const crd = (plural: string, group: string, kind: string, scope: string): Json => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1beta1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  });
  const daemonSet = (name: string, containers: Json[]): Json => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "kube-system", labels: { "k8s-app": name } },
    spec: {
      selector: { matchLabels: { "k8s-app": name } },
      template: {
        metadata: { labels: { "k8s-app": name } },
        spec: { hostNetwork: true, containers },
      },
    },
  });
  const namespace = (name: string): Json => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

  // What a kind cluster brings: local-path's `standard` class and kindnet (kind v0.29's kindnetd).
  const kindStandard = storageClass("standard", "rancher.io/local-path", false);
  const kindnet = (image: string) => daemonSet("kindnet", [{ name: "kindnet-cni", image }]);

  // What an EKS cluster ready for the stack has, as its add-ons and charts create it.
  const csiDriver: Json = {
    apiVersion: "storage.k8s.io/v1",
    kind: "CSIDriver",
    metadata: { name: "ebs.csi.aws.com" },
    spec: { attachRequired: true, podInfoOnMount: false },
  };
  const gp3 = storageClass("gp3", "ebs.csi.aws.com", true);
  const albClass: Json = {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: "alb" },
    spec: { controller: "ingress.k8s.aws/alb" },
  };
  const ingressClassParams = crd("ingressclassparams", "elbv2.k8s.aws", "IngressClassParams", "Cluster");
  const policyEndpoints = crd("policyendpoints", "networking.k8s.aws", "PolicyEndpoint", "Namespaced");
  const controllerLabels = {
    "app.kubernetes.io/name": "aws-load-balancer-controller",
    "app.kubernetes.io/instance": "aws-load-balancer-controller",
  };
  const albController: Json = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "aws-load-balancer-controller", namespace: "kube-system", labels: controllerLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: controllerLabels },
      template: {
        metadata: { labels: controllerLabels },
        spec: {
          containers: [
            {
              name: "aws-load-balancer-controller",
              image: "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3",
              args: ["--cluster-name=tiketi-prod", "--ingress-class=alb"],
            },
          ],
        },
      },
    },
  };
  // The VPC CNI add-on's DaemonSet with network policy enabled (enableNetworkPolicy: "true").
  const agentArgs = (enabled: boolean) => [
    "--enable-ipv6=false",
    `--enable-network-policy=${enabled}`,
    "--enable-cloudwatch-logs=false",
    "--enable-policy-event-logs=false",
    "--metrics-bind-addr=:8162",
    "--health-probe-bind-addr=:8163",
  ];
  const awsNode = daemonSet("aws-node", [
    {
      name: "aws-node",
      image: "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1",
    },
    {
      name: "aws-eks-nodeagent",
      image:
        "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com/amazon/aws-network-policy-agent:v1.2.2-eksbuild.1",
      args: agentArgs(true),
    },
  ]);
  const appNamespace = namespace("tiketi-spring");

  const apps = () => cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
  const controllerReady = () =>
    waitFor(async () => {
      const { body } = await apps().readNamespacedDeployment("aws-load-balancer-controller", "kube-system");
      return (body.status?.readyReplicas ?? 0) > 0 ? true : undefined;
    }, "the AWS Load Balancer Controller ready");
  const daemonSetReady = (name: string) =>
    waitFor(async () => {
      const { body } = await apps().readNamespacedDaemonSet(name, "kube-system");
      return (body.status?.numberReady ?? 0) === EKS_SHAPE.nodes.length ? true : undefined;
    }, `DaemonSet ${name} ready on every node`);

  beforeAll(async () => {
    cluster = await startCluster({ nodes: EKS_SHAPE.nodes, storageClasses: [] });
    objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    plans = { kind: await planFor("kind"), prod: await planFor("prod") };
  });

  afterAll(async () => {
    process.stdout.write(`${transcripts.join("\n")}\n`);
    await cluster?.stop();
  });

  test("kind: standard class and kindnet >= kind 0.24 pass; an older kindnetd only warns", async () => {
    await create(kindStandard);
    await create(kindnet("docker.io/kindest/kindnetd:v20250512-df8de77b"));
    await daemonSetReady("kindnet");
    const current = await preflight("kind", "a kind v0.29 cluster");
    expect(current.code).toBe(0);
    expect(current.text).toContain("✓ StorageClass standard exists (provisioner rancher.io/local-path)");
    expect(current.text).toContain(
      "✓ StorageClass standard cannot expand volumes, as storage.allowVolumeExpansion says",
    );
    expect(current.text).toContain("✓ exposure.mode is nodePort: no IngressClass needed");
    expect(current.text).toMatch(
      /✓ NetworkPolicies are enforced by kindnet \(kube-system\/kindnet, docker.io\/kindest\/kindnetd:v20250512-df8de77b, 3 ready\)/,
    );

    await edit(kindnet(""), (ds) => {
      ds.spec.template.spec.containers[0].image = "docker.io/kindest/kindnetd:v20240202-8f1494ea";
    });
    const old = await preflight("kind", "a kind v0.22 cluster (kindnetd v20240202)");
    expect(old.code).toBe(0);
    expect(old.text).toMatch(
      /^! NETWORKPOLICIES ARE NOT ENFORCED \(kube-system\/kindnet runs docker.io\/kindest\/kindnetd:v20240202-8f1494ea, older than/m,
    );
    await remove(kindnet(""));
    await remove(kindStandard);
  });

  test("prod on a cluster with none of the prerequisites: every one is named, exit 1", async () => {
    const script = await cli("a bare cluster");
    expect(script.code).toBe(1);
    expect(script.stdout).toMatch(
      /^preflight of stack prod \(profile eks, context arn:aws:eks:ap-northeast-2:111111111111:cluster\/tiketi-prod\)$/m,
    );
    expect(script.stdout).toMatch(/^4 blocking, 1 warning\(s\): fix the ✗ lines before pulumi up$/m);
    const bare = await preflight("prod", "a bare cluster", false);
    expect(bare.code).toBe(1);
    const blockingLines = bare.findings.filter((f) => f.status === "blocking").map((f) => f.message);
    expect(blockingLines).toEqual([
      expect.stringMatching(/^StorageClass gp3 \(storage.className\) does not exist/),
      expect.stringMatching(/^IngressClass alb \(exposure.ingress.className\) does not exist/),
      expect.stringMatching(/^NETWORKPOLICIES ARE NOT ENFORCED \(no Calico, Cilium/),
      expect.stringMatching(/^Namespace tiketi-spring \(apps.namespaces\) does not exist/),
    ]);
  });

  describe("prod on a complete EKS-shaped cluster", () => {
    beforeAll(async () => {
      for (const object of [
        csiDriver,
        gp3,
        albClass,
        ingressClassParams,
        policyEndpoints,
        albController,
        awsNode,
        appNamespace,
      ]) {
        await create(object);
      }
      await controllerReady();
      await daemonSetReady("aws-node");
    });

    test("the script: exit 0, and with --iam each role's policies federating the cluster's issuer", async () => {
      const script = await cli("a complete cluster", "--iam");
      expect(script.code).toBe(0);
      expect(script.stdout).toMatch(/^nothing blocking, 1 warning\(s\)$/m);
      expect(script.stdout).toContain(
        '"Federated": "arn:aws:iam::111111111111:oidc-provider/kubernetes.default.svc.cluster.local"',
      );
      expect(script.stdout).toContain(
        '"kubernetes.default.svc.cluster.local:sub": "system:serviceaccount:observability:tempo"',
      );
      // A role each for the metrics bucket's three users, each trusted by its own ServiceAccount,
      // and printed with its own policy: only the compactor's deletes.
      const sections = script.stdout.split(/^(?=# arn:aws:iam::)/m);
      for (const [account, role, actions] of [
        ["prometheus", "sidecar", ["s3:GetObject", "s3:PutObject"]],
        ["thanos-store", "store", ["s3:GetObject"]],
        ["thanos-compactor", "compactor", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]],
      ] as const) {
        const section =
          sections.find((part) =>
            part.startsWith(`# arn:aws:iam::111111111111:role/tiketi-prod-thanos-${role} `),
          ) ?? "";
        const [trust, permissions] = [...section.matchAll(/^\{\n[\s\S]*?^\}$/gm)].map(
          (m) => JSON.parse(m[0]) as Json,
        );
        expect(trust.Statement[0].Condition.StringEquals["kubernetes.default.svc.cluster.local:sub"]).toBe(
          `system:serviceaccount:observability:${account}`,
        );
        expect(permissions.Statement.map((st: Json) => st.Action)).toEqual([["s3:ListBucket"], actions]);
      }
    });

    test("passes: every prerequisite found, the trust subjects and the issuer printed, exit 0", async () => {
      const complete = await preflight("prod", "a complete cluster", false);
      expect(complete.code).toBe(0);
      expect(complete.findings.filter((f) => f.status === "blocking")).toEqual([]);
      expect(complete.text).toContain("✓ StorageClass gp3 exists (provisioner ebs.csi.aws.com)");
      expect(complete.text).toContain("✓ CSIDriver ebs.csi.aws.com is registered");
      expect(complete.text).toContain(
        "✓ StorageClass gp3 can expand volumes, as storage.allowVolumeExpansion says",
      );
      expect(complete.text).toContain("✓ IngressClass alb exists (controller ingress.k8s.aws/alb)");
      expect(complete.text).toContain(
        "✓ the AWS Load Balancer Controller is running (kube-system/aws-load-balancer-controller, 1 ready)",
      );
      expect(complete.text).toContain(
        "✓ NetworkPolicies are enforced by the VPC CNI network policy agent (kube-system/aws-node, container aws-eks-nodeagent, 3 ready)",
      );
      expect(complete.text).toContain("✓ Namespace tiketi-spring (apps.namespaces) exists");
      expect(complete.text).toContain(
        "✓ IRSA: observability/loki assumes arn:aws:iam::111111111111:role/tiketi-prod-loki; trust subject system:serviceaccount:observability:loki",
      );
      expect(complete.text).toContain(
        "✓ IRSA: observability/tempo assumes arn:aws:iam::111111111111:role/tiketi-prod-tempo; trust subject system:serviceaccount:observability:tempo",
      );
      // The metrics bucket's three users (metrics.objectStorage): the sidecars in the Prometheus
      // pods, the store gateways and the compactor, a role each.
      for (const [account, role] of [
        ["prometheus", "sidecar"],
        ["thanos-store", "store"],
        ["thanos-compactor", "compactor"],
      ]) {
        expect(complete.text).toContain(
          `✓ IRSA: observability/${account} assumes arn:aws:iam::111111111111:role/tiketi-prod-thanos-${role}; trust subject system:serviceaccount:observability:${account}`,
        );
      }
      // The test API server's issuer is not EKS's: said, without failing.
      expect(complete.text).toContain(
        "! service-account issuer https://kubernetes.default.svc.cluster.local is not an EKS OIDC issuer",
      );
    });

    /** Each prerequisite taken away, the finding it must give, and how it is put back. */
    const cases: {
      name: string;
      take: () => Promise<void>;
      finding: RegExp;
      blocks: boolean;
      restore: () => Promise<void>;
    }[] = [
      {
        name: "the StorageClass",
        take: () => remove(gp3),
        finding:
          /^✗ StorageClass gp3 \(storage.className\) does not exist: every PersistentVolumeClaim .*Fix: create it: provisioner ebs.csi.aws.com/m,
        blocks: true,
        restore: () => create(gp3),
      },
      {
        name: "the EBS CSI driver",
        take: () => remove(csiDriver),
        finding:
          /^✗ CSIDriver ebs.csi.aws.com is not registered: .*Fix: install the Amazon EBS CSI driver: aws eks create-addon --cluster-name tiketi-prod --region ap-northeast-2 --addon-name aws-ebs-csi-driver/m,
        blocks: true,
        restore: () => create(csiDriver),
      },
      {
        name: "volume expansion",
        take: () => edit(gp3, (sc) => void (sc.allowVolumeExpansion = false)),
        finding:
          /^! StorageClass gp3 cannot expand volumes but storage.allowVolumeExpansion is true.*Fix: kubectl patch storageclass gp3/m,
        blocks: false,
        restore: () => edit(gp3, (sc) => void (sc.allowVolumeExpansion = true)),
      },
      {
        name: "the IngressClass",
        take: () => remove(albClass),
        finding:
          /^✗ IngressClass alb \(exposure.ingress.className\) does not exist.*Fix: install the AWS Load Balancer Controller/m,
        blocks: true,
        restore: () => create(albClass),
      },
      {
        name: "the AWS Load Balancer Controller",
        take: () => remove(albController),
        finding:
          /^✗ the AWS Load Balancer Controller is not running \(no Deployment labelled app.kubernetes.io\/name=aws-load-balancer-controller\)/m,
        blocks: true,
        restore: async () => {
          await create(albController);
          await controllerReady();
        },
      },
      {
        name: "the network policy agent",
        take: () => edit(awsNode, (ds) => void (ds.spec.template.spec.containers[1].args = agentArgs(false))),
        finding:
          /^✗ NETWORKPOLICIES ARE NOT ENFORCED \(kube-system\/aws-node's aws-eks-nodeagent runs without --enable-network-policy=true\): the stack's default-deny and every allow would be silently ignored.*Fix: enable the VPC CNI agent/m,
        blocks: true,
        restore: () =>
          edit(awsNode, (ds) => void (ds.spec.template.spec.containers[1].args = agentArgs(true))),
      },
      {
        name: "the network policy controller",
        take: async () => {
          await remove(policyEndpoints);
          // A CRD goes once the API server has removed its objects: only then can it be created again.
          await waitFor(
            async () =>
              (await objects.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")).body.items.some(
                (item) => item.metadata?.name === policyEndpoints.metadata.name,
              )
                ? undefined
                : true,
            "the PolicyEndpoint CRD gone",
          );
        },
        finding:
          /^✗ NETWORKPOLICIES ARE NOT ENFORCED \(the agent is on but no network policy controller serves policyendpoints.networking.k8s.aws\)/m,
        blocks: true,
        restore: () => create(policyEndpoints),
      },
      {
        name: "the app namespace",
        take: async () => {
          await remove(appNamespace);
          await waitFor(
            async () =>
              (await objects.list("v1", "Namespace")).body.items.some(
                (ns) => ns.metadata?.name === "tiketi-spring",
              )
                ? undefined
                : true,
            "namespace tiketi-spring gone",
          );
        },
        finding:
          /^✗ Namespace tiketi-spring \(apps.namespaces\) does not exist, and apps.createNamespaces is false.*Fix: kubectl create namespace tiketi-spring/m,
        blocks: true,
        restore: () => create(appNamespace),
      },
      {
        name: "Loki's ServiceAccount, taken by another role",
        take: async () => {
          await create(namespace("observability"));
          await create({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: {
              name: "loki",
              namespace: "observability",
              annotations: {
                "eks.amazonaws.com/role-arn": "arn:aws:iam::111111111111:role/someone-elses-loki",
              },
            },
          });
        },
        finding:
          /^✗ ServiceAccount observability\/loki exists with role arn:aws:iam::111111111111:role\/someone-elses-loki, the stack sets arn:aws:iam::111111111111:role\/tiketi-prod-loki/m,
        blocks: true,
        restore: () =>
          remove({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "loki", namespace: "observability" },
          }),
      },
    ];

    test.each(cases.map((c) => [c.name, c] as const))(
      "without %s: the matching finding",
      async (_name, c) => {
        await c.take();
        try {
          const result = await preflight("prod", `without ${c.name}`);
          expect(result.text).toMatch(c.finding);
          // Only that prerequisite is reported missing.
          expect(result.findings.filter((f) => f.status === "blocking")).toHaveLength(c.blocks ? 1 : 0);
          expect(result.code).toBe(c.blocks ? 1 : 0);
        } finally {
          await c.restore();
        }
        expect((await preflight("prod", `${c.name} put back`, false)).code).toBe(0);
      },
    );
  });
});
