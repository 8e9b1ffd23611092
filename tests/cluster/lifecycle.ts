import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePulumiConfig } from "../../config/load";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { StackName } from "../kit/stacks";
import {
  ClusterOptions,
  TestCluster,
  describe as describeError,
  readObject,
  ref,
  startCluster,
  waitFor,
} from "../kit/cluster";
import { counted } from "../kit/engine/changes";
import { DATA_WORKLOADS } from "../kit/engine/dataObjects";
import { EngineStack, UpdateOutcome, engineErrors } from "../kit/engine/engineStack";
import { resourceType } from "../kit/engine/urn";
import { policyReport } from "../kit/engine/events";
import { workflowPreview } from "../kit/workflowPreview";
import { drainEachNode } from "./drain";
import { provisionedDatasources, serviceOfUrl } from "../../checks/exposedBackends";
import type { PulumiConfig } from "../../config";
import { USER_EDITS, configSetPath } from "../kit/userEdits";
import { GRAFANA_CONFIG } from "../../components/grafana/names";
import { ROTATION_ANNOTATION, SECRET_KEYS } from "../../components/grafana/grafanaWorkload";
import { Json } from "../kit/json";

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];

/** ENGINE_EVERY_EDIT=1 (by hand) applies each user edit on every stack it applies to, even where its steps repeat another stack's. */
const EVERY_EDIT = process.env.ENGINE_EVERY_EDIT === "1";

interface LifecycleOptions {
  readonly stack: StackName;
  readonly shape: ClusterOptions;
  /** Namespaces the stack reads rather than creates: the team creates them before the first up. */
  readonly preexistingNamespaces: readonly string[];
}

/** `created 3, updated 1 (12.3 s)`: what an update did, as the engine reports it. */
const appliedSummary = (outcome: UpdateOutcome) =>
  `${counted(outcome.applied)} (${outcome.run.seconds.toFixed(1)} s)`;

/**
 * The life of a stack on a real API server, driven by the real Pulumi engine as a user drives it
 * (the stack file edited, then `pulumi up`), step by step, each logged with its result, wall time
 * and counts: preview and first up on a fresh cluster, no perpetual diff, every edit users make
 * (each seen the same by the engine's preview, the review tool and the update's steps), RBAC, Pod
 * Security, destroy. Steps share the cluster and run in order.
 */
export function stackLifecycle(options: LifecycleOptions): void {
  const { stack } = options;
  const log: string[] = [];
  let cluster: TestCluster;
  let engine: EngineStack;
  let api: {
    core: k8s.CoreV1Api;
    apps: k8s.AppsV1Api;
    policy: k8s.PolicyV1Api;
    authz: k8s.AuthorizationV1Api;
  };
  let config: PulumiConfig;
  let secretKeys: readonly string[];
  let current: RenderedStack;

  const step = async <T>(name: string, body: () => Promise<T>, summary: (value: T) => string): Promise<T> => {
    const start = Date.now();
    try {
      const value = await body();
      log.push(`✓ ${stack} ${name} (${((Date.now() - start) / 1000).toFixed(1)} s): ${summary(value)}`);
      return value;
    } catch (error) {
      log.push(`✗ ${stack} ${name} (${((Date.now() - start) / 1000).toFixed(1)} s): ${String(error)}`);
      throw error;
    }
  };

  beforeAll(async () => {
    ({ config, secretKeys } = readStackFile(stack, PROJECT_ROOT));
    await step(
      "start the cluster",
      async () => {
        cluster = await startCluster(options.shape);
        engine = new EngineStack(stack, cluster);
        await engine.init({ config, secretKeys });
        api = {
          core: cluster.kubeConfig.makeApiClient(k8s.CoreV1Api),
          apps: cluster.kubeConfig.makeApiClient(k8s.AppsV1Api),
          policy: cluster.kubeConfig.makeApiClient(k8s.PolicyV1Api),
          authz: cluster.kubeConfig.makeApiClient(k8s.AuthorizationV1Api),
        };
      },
      () =>
        `${options.shape.nodes.length} kwok node(s) ${options.shape.nodes.map((n) => `${n.cpu} CPU/${n.memory}${n.zone === undefined ? "" : ` in ${n.zone}`}`).join(", ")}; StorageClass ${options.shape.storageClasses.map((c) => `${c.name} (expansion ${c.allowVolumeExpansion ? "on" : "off"})`).join(", ")}`,
    );
    current = await renderWithConfig(stack, config, secretKeys);
  });

  afterAll(async () => {
    const start = Date.now();
    // What the control plane printed, for a failure's cause (CI keeps /tmp for the run).
    fs.writeFileSync(path.join(os.tmpdir(), `test-cluster-${stack}.log`), cluster?.output() ?? "");
    await cluster?.stop();
    engine?.remove();
    log.push(`✓ ${stack} stop every process (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    console.log(log.join("\n"));
  });

  test("a fresh cluster: the preview names what is missing, then the first up creates everything", async () => {
    const appNamespace = "tiketi-spring";
    if (options.preexistingNamespaces.length > 0) {
      await step(
        "pulumi preview with the teams' namespaces missing",
        async () => {
          const run = await engine.preview();
          expect(run.status).not.toBe(0);
          expect(engineErrors(run)).toContain(appNamespace);
          for (const name of options.preexistingNamespaces) {
            await api.core.createNamespace({ metadata: { name } });
          }
          return run.errors.find((e) => e.includes(appNamespace)) ?? "";
        },
        (error) =>
          `refused: "${error.replace(/\s+/g, " ").slice(0, 160)}"; the team then creates ${options.preexistingNamespaces.join(", ")}`,
      );
    }
    const planned = await step(
      "pulumi preview",
      async () => {
        const run = await engine.preview();
        expect(`${run.status} ${engineErrors(run)}`).toBe("0 ");
        return run;
      },
      (run) => `passes in ${run.seconds.toFixed(1)} s: ${JSON.stringify(run.summary)}`,
    );
    const first = await step(
      "pulumi up from empty",
      () => engine.up(),
      (outcome) => `${appliedSummary(outcome)}, 0 errors`,
    );
    expect(first.run.failures).toEqual([]);
    expect(counted(first.applied)).toBe(`created ${planned.summary.create}`);
    expect(first.disagreements).toEqual([]);
    const rendered = current.objects.length + current.patches.length;
    expect(
      [...first.applied.keys()].filter((urn) => resourceType(urn).startsWith("kubernetes:")).length,
    ).toBe(rendered);
  });

  test("every object exists, every pod is Running and Ready on a node, every claim Bound", async () => {
    await step(
      "verify the first up",
      async () => {
        for (const object of current.objects) {
          expect(await readObject(cluster.kubeConfig, object)).toBeDefined();
        }
        const pods = await workloadPods();
        for (const { workload, expected, running } of pods) {
          expect(`${workload}: ${running}/${expected}`).toBe(`${workload}: ${expected}/${expected}`);
        }
        const claims = await stackClaims();
        expect(claims.length).toBeGreaterThan(3);
        for (const claim of claims) {
          expect(`${claim.metadata?.name}: ${claim.status?.phase}`).toBe(`${claim.metadata?.name}: Bound`);
        }
        return {
          pods: pods.reduce((n, p) => n + p.running, 0),
          workloads: pods.length,
          claims: claims.length,
          pdbs: current.objects.filter((o) => o.kind === "PodDisruptionBudget").length,
          policies: current.objects.filter((o) => o.kind === "NetworkPolicy").length,
        };
      },
      (c) =>
        `${current.objects.length} objects; ${c.pods} pods of ${c.workloads} workloads Running and Ready; ${c.claims} claims Bound; ${c.pdbs} PDBs and ${c.policies} NetworkPolicies accepted`,
    );
  });

  test("the real endpoints controller puts the queriers behind Grafana's datasource, every replica behind the peers' names", async () => {
    const discovery = cluster.kubeConfig.makeApiClient(k8s.DiscoveryV1Api);
    const { replicas } = parsePulumiConfig(config, secretKeys).metrics;
    /** The pods behind a Service once as many as expected are ready, by the EndpointSlices' targetRefs. */
    const endpointPods = (service: string, count: number) =>
      waitFor(async () => {
        const slices = await discovery.listNamespacedEndpointSlice(
          "observability",
          undefined,
          undefined,
          undefined,
          undefined,
          `kubernetes.io/service-name=${service}`,
        );
        const pods = slices.body.items
          .flatMap((slice) => slice.endpoints)
          .filter((e) => e.conditions?.ready === true)
          .map((e) => e.targetRef?.name ?? "")
          .sort();
        return pods.length === count ? pods : undefined;
      }, `${count} ready endpoint(s) of Service ${service}`);
    await step(
      "the query Service's EndpointSlices",
      async () => {
        const datasource = provisionedDatasources(current.objects).find((d) => d.type === "prometheus");
        const service = serviceOfUrl(current.objects, datasource?.url ?? "")?.metadata.name ?? "";
        // One replica is queried directly (kind); several through Thanos Query's two pods (prod).
        const queried = await endpointPods(service, replicas > 1 ? 2 : 1);
        expect(queried.every((pod) => pod.startsWith(replicas > 1 ? "thanos-query-" : "prometheus-0"))).toBe(
          true,
        );
        // Thanos Query dials each replica as <pod>.prometheus-peers: the headless Service holds them all.
        const peers = await endpointPods("prometheus-peers", replicas);
        expect(peers).toEqual(Array.from({ length: replicas }, (_, i) => `prometheus-${i}`));
        return { service, queried, peers };
      },
      ({ service, queried, peers }) =>
        `${service} → ${queried.join(", ")}; prometheus-peers → ${peers.join(", ")}`,
    );
  });

  test("no perpetual diff: right after the first up, preview and up find nothing to change", async () => {
    await step(
      "pulumi preview --expect-no-changes, then pulumi up --expect-no-changes",
      async () => {
        const before = await liveVersions();
        // The pull-request workflow's preview as it is written, its policy pack the engine's analyzer.
        const workflow = workflowPreview();
        expect(workflow.args[0]).toBe("preview");
        expect(workflow.stackName(stack)).toBe(stack);
        const eventLog = path.join(engine.workspace.dir, "preview-events.jsonl");
        const preview = await engine.preview(
          ...workflow.args.slice(1),
          ...workflow.policyPacks.flatMap((p) => [
            "--policy-pack",
            engine.workspace.policyPack(path.join(PROJECT_ROOT, p)),
          ]),
          "--event-log",
          eventLog,
          "--expect-no-changes",
        );
        expect(`${preview.status} ${engineErrors(preview)}`).toBe("0 ");
        const policies = policyReport(fs.readFileSync(eventLog, "utf8"));
        expect(policies.packs).toEqual(["observability"]);
        expect(policies.passed).toBeGreaterThan(0);
        expect(policies.violations).toEqual([]);
        const again = await engine.up("--expect-no-changes");
        expect(counted(again.applied)).toBe("nothing");
        const after = await liveVersions();
        const changed = [...before]
          .filter(([key, version]) => after.get(key) !== version)
          .map(([key]) => key);
        expect(changed).toEqual([]);
        return { objects: before.size, preview, again, policies };
      },
      ({ objects, preview, again, policies }) =>
        `both pass (${preview.seconds.toFixed(1)} s, ${again.run.seconds.toFixed(1)} s): ${JSON.stringify(preview.summary)}; the workflow's preview (pulumi ${workflowPreview().args.join(" ")} --policy-pack …): policy packs ${policies.packs.join(", ") || "(none named)"} analyzed ${policies.analyzed} resources, ${policies.passed} policy checks passed, 0 violations; no new resourceVersion or generation on any of ${objects} objects and claims`,
    );
  });

  test("every replica is scheduled and spread as configured; each PDB allows the disruptions it should", async () => {
    await step(
      "spread and disruption budgets",
      async () => {
        const zones = new Map(
          (await api.core.listNode()).body.items.map((n) => [
            n.metadata?.name ?? "",
            n.metadata?.labels?.["topology.kubernetes.io/zone"] ?? n.metadata?.name ?? "",
          ]),
        );
        const spread: string[] = [];
        for (const object of current.objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind))) {
          const spec = object.spec as Json;
          const replicas = spec.replicas as number;
          if (replicas < 2) {
            continue;
          }
          const pods = await podsOf(object);
          const used = new Set(pods.map((p) => zones.get(p.spec?.nodeName ?? "")));
          // Each replica in its own zone while there are zones to spare (ScheduleAnyway spreads, it does not refuse).
          expect(`${ref(object)}: ${used.size} zones`).toBe(
            `${ref(object)}: ${Math.min(replicas, new Set(zones.values()).size)} zones`,
          );
          spread.push(`${object.metadata.name} ${replicas}×/${used.size} zones`);
        }
        const budgets: string[] = [];
        for (const pdb of current.objects.filter((o) => o.kind === "PodDisruptionBudget")) {
          // The disruption controller counts the pods after they are ready: wait until it has counted
          // them all, and judge what it last said if it never does.
          const read = async () =>
            (
              await api.policy.readNamespacedPodDisruptionBudget(
                pdb.metadata.name,
                pdb.metadata.namespace ?? "",
              )
            ).body;
          const live = await waitFor(async () => {
            const { metadata, status } = await read();
            return status?.observedGeneration === metadata?.generation &&
              status?.expectedPods !== undefined &&
              status.currentHealthy === status.expectedPods
              ? status
              : undefined;
          }, `PodDisruptionBudget ${pdb.metadata.name} counting every pod healthy`).catch(
            async () => (await read()).status!,
          );
          const minAvailable = (pdb.spec as Json).minAvailable as number;
          expect(`${pdb.metadata.name}: ${live.disruptionsAllowed} of ${live.currentHealthy}`).toBe(
            `${pdb.metadata.name}: ${live.expectedPods - minAvailable} of ${live.expectedPods}`,
          );
          budgets.push(`${pdb.metadata.name} allows ${live.disruptionsAllowed} of ${live.expectedPods}`);
        }
        return { spread, budgets };
      },
      ({ spread, budgets }) =>
        `${spread.join(", ") || "no replicated workload"}; ${budgets.join(", ") || "no PDB"}`,
    );
  });

  if (options.shape.nodes.length > 1) {
    test("each node drained in turn through the Eviction API: every drain finishes, every replicated workload keeps a ready pod, Loki a ready replica in two zones", async () => {
      await step(
        "drain each node, then its replacement in the zone",
        async () => {
          const report = await drainEachNode(api.core, current.objects);
          for (const w of report.workloads.filter((w) => w.replicas > 1)) {
            expect(`${w.ref}: fewest ready ${w.fewestReady}`).not.toBe(`${w.ref}: fewest ready 0`);
          }
          // Replicated Loki writes each line to a majority of its zones: two must stay ready.
          const loki = report.workloads.find((w) => w.ref === "StatefulSet/loki");
          if (stack === "prod") {
            expect(loki?.replicas).toBeGreaterThan(1);
            expect(loki?.fewestReadyZones).toBeGreaterThanOrEqual(2);
          }
          return report;
        },
        ({ drains, workloads }) =>
          [
            ...drains.map(
              (d) =>
                `${d.node} (${d.zone}): ${d.evicted.length} pods evicted in ${d.drainSeconds.toFixed(1)} s, ${
                  Object.entries(d.refusals)
                    .map(([pod, n]) => `${pod} refused ${n} times by its budget first`)
                    .join(", ") || "no eviction refused"
                }; all ready ${d.recoverySeconds.toFixed(1)} s after its replacement`,
            ),
            `fewest ready: ${workloads.map((w) => `${w.ref} ${w.fewestReady}/${w.replicas}`).join(", ")}`,
            `fewest zones with a ready pod: ${workloads
              .filter((w) => w.replicas > 1)
              .map((w) => `${w.ref} ${w.fewestReadyZones}`)
              .join(", ")}`,
            `no ready pod for: ${
              workloads
                .filter((w) => w.unavailableSeconds > 0)
                .map((w) => `${w.ref} ${w.unavailableSeconds.toFixed(1)} s`)
                .join(", ") || "none"
            }`,
          ].join("; "),
      );
    });
  }

  const appliedHere = (e: (typeof USER_EDITS)[number]) =>
    e.stacks.includes(stack) && (EVERY_EDIT || !(e.sameStepsOn ?? []).includes(stack));
  for (const userEdit of USER_EDITS.filter(appliedHere)) {
    test(`edit: ${userEdit.title}`, async () => {
      const edited = userEdit.edit(config);
      const refusal = userEdit.refusedOn?.[stack];
      await engine.edit({ config: edited, secretKeys });
      if (refusal !== undefined) {
        await step(
          `edit: ${userEdit.title}`,
          async () => {
            const before = await liveVersions();
            const outcome = await engine.attemptUp();
            expect(outcome.run.status).not.toBe(0);
            expect(engineErrors(outcome.run)).toContain(refusal);
            expect(counted(outcome.applied)).toBe("nothing");
            expect(await liveVersions()).toEqual(before);
            return outcome;
          },
          (outcome) =>
            `refused by the program's config check before anything was applied (${outcome.run.seconds.toFixed(1)} s): "${refusal} …"`,
        );
        await engine.edit({ config, secretKeys });
        return;
      }
      for (const name of userEdit.createdFirst ?? []) {
        await api.core.createNamespace({ metadata: { name } });
      }
      await upTheEdit(`edit: ${userEdit.title}`, edited);
    });
  }

  test("rotating Grafana's credentials gives a new admin password, in the Secret Grafana's restarted pods mount, and the state holds it only encrypted", async () => {
    const old = await engine.workspace.output(stack, "grafanaAdminPassword", true);
    const rotation = `${String(parsePulumiConfig(config, secretKeys).grafana.credentialsRotation)}-rotated`;
    const edited = configSetPath(config, "grafana.credentialsRotation", rotation);
    const podsBefore = await grafanaPods();
    await engine.edit({ config: edited, secretKeys });
    await upTheEdit("edit: rotate Grafana's admin password (grafana.credentialsRotation)", edited);
    await step(
      "the rotated password",
      async () => {
        const password = await engine.workspace.output(stack, "grafanaAdminPassword", true);
        expect(password).not.toBe(old);
        expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
        // What Grafana's pods read, and every one of them started after it, with the rotation key.
        const secret = await api.core.readNamespacedSecret(GRAFANA_CONFIG.credentials, "observability");
        expect(Buffer.from(secret.body.data?.[SECRET_KEYS.adminPassword] ?? "", "base64").toString()).toBe(
          password,
        );
        const podsAfter = await waitFor(async () => {
          const pods = await grafanaPods();
          return pods.length > 0 &&
            pods.every(
              (p) =>
                !podsBefore.some((b) => b.metadata?.uid === p.metadata?.uid) &&
                p.metadata?.annotations?.[ROTATION_ANNOTATION] === rotation &&
                p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
            )
            ? pods
            : undefined;
        }, "Grafana's pods restarted with the rotation");
        // The engine's state: neither password in the clear, and no output shown without --show-secrets.
        const state = await engine.workspace.exportState(stack);
        expect(state.includes(password) || state.includes(old)).toBe(false);
        expect(await engine.workspace.output(stack, "grafanaAdminPassword")).toBe("[secret]");
        return { pods: podsAfter.length, stateBytes: state.length };
      },
      ({ pods, stateBytes }) =>
        `a new 32-character password, in Secret observability/${GRAFANA_CONFIG.credentials}; ${pods} Grafana pod(s) restarted with it; pulumi stack export (${stateBytes} bytes) holds neither password in the clear`,
    );
  });

  test("each ServiceAccount can do what its component needs and nothing more (SubjectAccessReview)", async () => {
    const alloyNamespace = current.objects.some((o) => o.kind === "DaemonSet" && o.metadata.name === "alloy")
      ? "observability-node"
      : "observability";
    const apiMode = alloyNamespace === "observability";
    const cases: [string, string, Json, boolean][] = [
      ["observability", "prometheus", { verb: "list", resource: "pods" }, true],
      ["observability", "prometheus", { verb: "get", resource: "nodes", subresource: "metrics" }, true],
      [
        "observability",
        "prometheus",
        { verb: "watch", group: "discovery.k8s.io", resource: "endpointslices" },
        true,
      ],
      [
        "observability",
        "prometheus",
        { verb: "get", resource: "secrets", namespace: "observability" },
        false,
      ],
      [
        "observability",
        "prometheus",
        { verb: "create", resource: "pods", namespace: "tiketi-spring" },
        false,
      ],
      ["observability", "kube-state-metrics", { verb: "list", group: "apps", resource: "deployments" }, true],
      ["observability", "kube-state-metrics", { verb: "watch", resource: "nodes" }, true],
      ["observability", "kube-state-metrics", { verb: "list", resource: "secrets" }, false],
      ["observability", "kube-state-metrics", { verb: "list", resource: "configmaps" }, false],
      [alloyNamespace, "alloy", { verb: "list", resource: "pods", namespace: "tiketi-spring" }, true],
      [
        alloyNamespace,
        "alloy",
        { verb: "get", resource: "pods", subresource: "log", namespace: "tiketi-spring" },
        apiMode,
      ],
      [alloyNamespace, "alloy", { verb: "list", resource: "pods", namespace: "kube-system" }, false],
      // The Loki canary runs in the stack's namespace and its lines take the apps' path; through
      // the API (api mode) that takes reading its log, and RBAC cannot name a Deployment's pods.
      [alloyNamespace, "alloy", { verb: "list", resource: "pods", namespace: "observability" }, true],
      [
        alloyNamespace,
        "alloy",
        { verb: "get", resource: "pods", subresource: "log", namespace: "observability" },
        apiMode,
      ],
      [alloyNamespace, "alloy", { verb: "get", resource: "secrets", namespace: "tiketi-spring" }, false],
      ["observability", "otel-collector", { verb: "list", resource: "pods" }, true],
      ["observability", "otel-collector", { verb: "watch", group: "apps", resource: "replicasets" }, true],
      [
        "observability",
        "otel-collector",
        { verb: "get", resource: "secrets", namespace: "observability" },
        false,
      ],
    ];
    // Kiali (the mesh edit): its viewer role where it shows the mesh, port-forward only to istiod
    // and the sidecars, nothing of the stack's secrets or of other namespaces.
    if (current.objects.some((o) => o.kind === "ServiceAccount" && o.metadata.name === "kiali")) {
      const kiali = (attributes: Json, allowed: boolean): [string, string, Json, boolean] => [
        "observability",
        "kiali",
        attributes,
        allowed,
      ];
      cases.push(
        kiali({ verb: "list", resource: "pods", namespace: "tiketi-spring" }, true),
        kiali(
          {
            verb: "watch",
            group: "networking.istio.io",
            resource: "virtualservices",
            namespace: "tiketi-spring",
          },
          true,
        ),
        kiali({ verb: "get", resource: "pods", subresource: "log", namespace: "tiketi-spring" }, true),
        kiali(
          { verb: "create", resource: "pods", subresource: "portforward", namespace: "istio-system" },
          true,
        ),
        kiali(
          { verb: "create", resource: "pods", subresource: "portforward", namespace: "observability" },
          false,
        ),
        kiali({ verb: "list", resource: "pods", namespace: "kube-system" }, false),
        kiali(
          {
            verb: "patch",
            group: "networking.istio.io",
            resource: "virtualservices",
            namespace: "tiketi-spring",
          },
          false,
        ),
        kiali({ verb: "get", resource: "secrets", namespace: "tiketi-spring" }, false),
      );
    }
    // Every other account of the stack reads nothing at all.
    for (const sa of current.objects.filter((o) => o.kind === "ServiceAccount")) {
      const { name, namespace = "" } = sa.metadata;
      if (!cases.some(([ns, account]) => ns === namespace && account === name)) {
        cases.push([namespace, name, { verb: "list", resource: "pods", namespace }, false]);
      }
      cases.push([namespace, name, { verb: "get", resource: "secrets", namespace }, false]);
    }
    await step(
      "RBAC (SubjectAccessReview per ServiceAccount)",
      async () => {
        const answers: string[] = [];
        for (const [namespace, account, attributes, allowed] of cases) {
          const review = await api.authz.createSubjectAccessReview({
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: {
              user: `system:serviceaccount:${namespace}:${account}`,
              groups: [
                "system:serviceaccounts",
                `system:serviceaccounts:${namespace}`,
                "system:authenticated",
              ],
              resourceAttributes: attributes,
            },
          });
          answers.push(
            `${namespace}/${account} ${JSON.stringify(attributes)} → ${String(review.body.status?.allowed)}`,
          );
          expect(answers[answers.length - 1]).toBe(
            `${namespace}/${account} ${JSON.stringify(attributes)} → ${String(allowed)}`,
          );
        }
        return answers.length;
      },
      (n) =>
        `${n} reviews answered as expected (${cases.filter((c) => c[3]).length} allowed, ${cases.filter((c) => !c[3]).length} denied)`,
    );
  });

  test("Pod Security admission refuses a non-compliant pod in the restricted namespace and admitted every stack pod", async () => {
    await step(
      "Pod Security admission",
      async () => {
        const refused = await api.core
          .createNamespacedPod("observability", {
            metadata: { name: "not-hardened" },
            spec: {
              containers: [{ name: "shell", image: "busybox:1.36", securityContext: { privileged: true } }],
            },
          })
          .then(
            () => "admitted",
            (error: unknown) => describeError(error),
          );
        expect(refused).toContain('violates PodSecurity "restricted:latest"');
        const admitted = (await workloadPods()).reduce((n, p) => n + p.running, 0);
        return { refused, admitted };
      },
      ({ refused, admitted }) => `refused: ${refused.slice(0, 140)}…; ${admitted} stack pods admitted`,
    );
  });

  test("pulumi destroy: refused where data is protected, and otherwise leaves only what is deliberately retained", async () => {
    const protectedData = current.registrations.filter((r) => r.protect).map((r) => r.name);
    await step(
      "pulumi destroy",
      async () => {
        const run = await engine.destroy();
        const left: string[] = [];
        for (const object of current.objects) {
          if ((await readObject(cluster.kubeConfig, object)) !== undefined) {
            left.push(ref(object));
          }
        }
        const claims = (await api.core.listPersistentVolumeClaimForAllNamespaces()).body.items.map(
          (c) => `${c.metadata?.namespace}/${c.metadata?.name}`,
        );
        if (protectedData.length === 0) {
          expect(`${run.status} ${engineErrors(run)}`).toBe("0 ");
          expect(left).toEqual([]);
        } else {
          expect(run.status).not.toBe(0);
          expect(engineErrors(run)).toContain("protected");
          for (const object of current.objects.filter((o) =>
            current.registrations.some((r) => r.protect && r.inputs === (o as unknown)),
          )) {
            expect(left).toContain(ref(object));
          }
          expect(claims.length).toBeGreaterThan(0);
        }
        return { run, left, claims };
      },
      ({ run, left, claims }) =>
        `${run.status === 0 ? "done" : `refused, exit ${run.status}`} in ${run.seconds.toFixed(1)} s (${JSON.stringify(run.summary)}); objects left: ${left.length === 0 ? "none" : `${left.length}, ${protectedData.length} of them protected`}; claims left: ${claims.length}`,
    );
  });

  /**
   * `pulumi up` of an edit whose stack file is written: the engine's preview, the review of the
   * same edit and the update's steps agree; nothing that holds data is deleted or replaced; every
   * workload's pods end Running and Ready; each claim the render grows is grown.
   */
  async function upTheEdit(title: string, edited: PulumiConfig): Promise<void> {
    const next = await renderWithConfig(stack, edited, secretKeys, current.outputs);
    await step(
      title,
      async () => {
        const uids = await liveUids();
        const generations = await workloadGenerations();
        const sizesBefore = claimSizes(await stackClaims());
        const outcome = await engine.up();
        // The engine's preview, the review of the same edit and the steps the update took agree.
        expect(outcome.disagreements).toEqual([]);
        // Nothing that holds data is deleted or replaced: same UIDs for the data workloads and every claim.
        const afterUids = await liveUids();
        for (const [key, uid] of uids) {
          if (
            key.startsWith("PersistentVolumeClaim ") ||
            DATA_WORKLOADS.some((w) => key === `StatefulSet observability/${w}`)
          ) {
            expect(`${key} ${afterUids.get(key)}`).toBe(`${key} ${uid}`);
          }
        }
        const rolled: string[] = [];
        for (const [key, generation] of await workloadGenerations()) {
          const was = generations.get(key);
          if (was !== undefined && !Number.isNaN(generation) && was !== generation) {
            rolled.push(key);
          }
        }
        // The provider counts a StatefulSet rolled out once its status says so; a replica the
        // controller restarts just after may still be on its way to Ready.
        const pods = await waitFor(async () => {
          const rows = await workloadPods(next);
          return rows.every((r) => r.running === r.expected) ? rows : undefined;
        }, "every workload's pods Running and Ready").catch(() => workloadPods(next));
        for (const { workload, expected, running } of pods) {
          expect(`${workload}: ${running}/${expected}`).toBe(`${workload}: ${expected}/${expected}`);
        }
        const sizesAfter = claimSizes(await stackClaims());
        const grown = [...sizesAfter]
          .filter(([name, size]) => sizesBefore.has(name) && sizesBefore.get(name) !== size)
          .map(([name, size]) => `${name} ${sizesBefore.get(name)}→${size}`);
        const added = [...sizesAfter]
          .filter(([name]) => !sizesBefore.has(name))
          .map(([n, size]) => `${n} ${size}`);
        return { outcome, rolled, grown, added };
      },
      ({ outcome, rolled, grown, added }) =>
        `pulumi up: ${appliedSummary(outcome)}, as its preview and the review said; review verdict: ${outcome.review?.verdict}; rolled out: ${rolled.join(", ") || "none"}; claims grown: ${grown.join(", ") || "none"}; new claims: ${added.join(", ") || "none"}`,
    );
    for (const patch of next.patches) {
      const claim = await api.core.readNamespacedPersistentVolumeClaim(
        patch.metadata.name,
        patch.metadata.namespace ?? "",
      );
      expect(claim.body.status?.capacity?.storage).toBe((patch.spec as Json).resources.requests.storage);
    }
    current = next;
    config = edited;
  }

  /** Per workload of the render: how many pods it should have and how many are Running and Ready. */
  async function workloadPods(
    rendered: RenderedStack = current,
  ): Promise<{ workload: string; expected: number; running: number }[]> {
    const nodes = (await api.core.listNode()).body.items.length;
    const rows = [];
    for (const object of rendered.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
      const spec = object.spec as Json;
      const selector = Object.entries(spec.selector.matchLabels as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const pods = (
        await api.core.listNamespacedPod(
          object.metadata.namespace ?? "",
          undefined,
          undefined,
          undefined,
          undefined,
          selector,
        )
      ).body.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
      const running = pods.filter(
        (p) =>
          p.spec?.nodeName !== undefined &&
          p.status?.phase === "Running" &&
          p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      ).length;
      rows.push({
        workload: ref(object),
        expected: object.kind === "DaemonSet" ? nodes : (spec.replicas as number),
        running,
      });
    }
    return rows;
  }

  /** Grafana's live pods, except those being deleted. */
  async function grafanaPods(): Promise<k8s.V1Pod[]> {
    const grafana = current.objects.find(
      (o) => ["StatefulSet", "Deployment"].includes(o.kind) && o.metadata.name === "grafana",
    ) as KubeObject;
    return podsOf(grafana);
  }

  /** The live pods a workload selects, except those being deleted. */
  async function podsOf(workload: KubeObject): Promise<k8s.V1Pod[]> {
    const selector = Object.entries((workload.spec as Json).selector.matchLabels as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const pods = await api.core.listNamespacedPod(
      workload.metadata.namespace ?? "",
      undefined,
      undefined,
      undefined,
      undefined,
      selector,
    );
    return pods.body.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
  }

  function claimSizes(claims: k8s.V1PersistentVolumeClaim[]): Map<string, string> {
    return new Map(claims.map((c) => [c.metadata?.name ?? "", c.status?.capacity?.storage ?? "unbound"]));
  }

  async function stackClaims(): Promise<k8s.V1PersistentVolumeClaim[]> {
    return (await api.core.listNamespacedPersistentVolumeClaim("observability")).body.items;
  }

  /** resourceVersion of every rendered object and every claim: what a no-op apply must not touch. */
  async function liveVersions(): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    for (const object of current.objects) {
      const live = (await readObject(cluster.kubeConfig, object)) as Json;
      // A workload's status moves with its pods; its spec's generation is what an apply changes.
      versions.set(
        ref(object),
        WORKLOAD_KINDS.includes(object.kind)
          ? `generation ${live.metadata.generation}`
          : live.metadata.resourceVersion,
      );
    }
    for (const claim of await stackClaims()) {
      versions.set(
        `PersistentVolumeClaim observability/${claim.metadata?.name}`,
        `${claim.metadata?.resourceVersion}`,
      );
    }
    return versions;
  }

  async function liveUids(): Promise<Map<string, string>> {
    const uids = new Map<string, string>();
    for (const object of current.objects) {
      uids.set(ref(object), String((await readObject(cluster.kubeConfig, object))?.metadata?.uid));
    }
    for (const claim of await stackClaims()) {
      uids.set(`PersistentVolumeClaim observability/${claim.metadata?.name}`, String(claim.metadata?.uid));
    }
    return uids;
  }

  async function workloadGenerations(): Promise<Map<string, number>> {
    const generations = new Map<string, number>();
    for (const object of current.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
      generations.set(
        ref(object),
        Number((await readObject(cluster.kubeConfig, object))?.metadata?.generation),
      );
    }
    return generations;
  }
}
