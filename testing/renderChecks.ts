// The checks every render is held to, main stacks, components alone and the examples alike: the
// strict Kubernetes decoder, Pod Security, the policy pack, and the NetworkPolicies against the
// flows they were made from.
import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Connection, connectionAllowed } from "../checks/networkReachability";
import { podSecurityProblems } from "../checks/podSecurity";
import { renderedPods } from "../checks/podSpecs";
import { Flow } from "../components/common/flow";
import { POLICIES } from "../policy/rules";
import { KubeObject } from "../render/manifest";
import { Registration } from "../render/mocks";
import { graphAllows, networkParties, networkPolicies, nodeNetworks } from "./network";
import { strictDecodeProblems } from "./strictDecode";

/** What a render is checked on. */
export interface CheckedRender {
  readonly registrations: readonly Registration[];
  readonly objects: readonly KubeObject[];
  /** The flows its NetworkPolicies were made from. */
  readonly flows: readonly Flow[];
  /** Where its node agents run: Pod Security privileged there, restricted everywhere else. */
  readonly nodeNamespace: string;
  /** The namespaces whose pods only the flows may reach or leave (a default deny, or policies of their own). */
  readonly closedNamespaces: readonly string[];
  /** The app namespaces: a sample app pod runs in each. */
  readonly appNamespaces: readonly string[];
}

/** The problems each check finds, by check: every list empty is a pass. */
export interface CheckProblems {
  readonly strictDecode: readonly string[];
  readonly podSecurity: readonly string[];
  readonly policyPack: readonly string[];
  /** Each connection the rendered policies allow and the flows do not, or the other way round. */
  readonly reachability: readonly string[];
}

/** How many connections the reachability check evaluated, beside the problems. */
export interface CheckReport {
  readonly problems: CheckProblems;
  readonly connectionsChecked: number;
}

/**
 * Every connection between every two parties (the rendered pods, a host-network one in its nodes'
 * networks where the flows name them, a sample app pod per app namespace, the cluster DNS and an
 * address outside), on every port a flow or a container names and
 * one nothing uses: those `policies` (the render's, unless given) allow and the flows do not, or the
 * other way round.
 */
export function reachabilityMismatches(
  render: Omit<CheckedRender, "registrations" | "nodeNamespace">,
  policies: readonly INetworkPolicy[] = networkPolicies(render.objects),
): { mismatches: string[]; checked: number } {
  const parties = networkParties(render.objects, render.appNamespaces, nodeNetworks(render.flows));
  const ports = new Set<number>([5555]);
  render.flows.forEach((f) => f.ports.forEach((p) => ports.add(p.port)));
  renderedPods(render.objects).forEach((pod) =>
    pod.spec.containers.forEach((c) => (c.ports ?? []).forEach((p) => ports.add(p.containerPort))),
  );
  const connections: Connection[] = [
    ...[...ports].map((port): Connection => ({ protocol: "TCP", port })),
    ...[53, 9094, 5555].map((port): Connection => ({ protocol: "UDP", port })),
  ];
  const mismatches: string[] = [];
  let checked = 0;
  for (const from of parties) {
    for (const to of parties) {
      for (const c of connections) {
        checked += 1;
        const actual = connectionAllowed(policies, from.party, to.party, c);
        if (actual !== graphAllows(render.flows, render.closedNamespaces, from, to, c)) {
          mismatches.push(
            `${from.name} -> ${to.name} ${c.protocol}/${c.port}: policies ${actual ? "allow" : "deny"}`,
          );
        }
      }
    }
  }
  return { mismatches, checked };
}

/** Runs every check on a render; `strictDecode: false` leaves the one that needs kube-validate out. */
export function checkRender(
  render: CheckedRender,
  options: { readonly strictDecode?: boolean } = {},
): CheckReport {
  // What the engine hands the pack: a read resource's properties are the object the cluster holds.
  const resources = render.registrations.map((r) => ({
    type: r.type,
    props: r.live ?? r.inputs,
    protect: r.protect,
  }));
  const network = reachabilityMismatches(render);
  return {
    problems: {
      strictDecode: options.strictDecode === false ? [] : strictDecodeProblems(render.objects),
      podSecurity: renderedPods(render.objects).flatMap((pod) =>
        podSecurityProblems(pod, { nodeNamespace: render.nodeNamespace }),
      ),
      policyPack: POLICIES.flatMap((policy) => policy.check(resources).map((p) => `${policy.name}: ${p}`)),
      reachability: network.mismatches,
    },
    connectionsChecked: network.checked,
  };
}

/** A report that passes: every check's list of problems empty. */
export const PASSED: CheckProblems = { strictDecode: [], podSecurity: [], policyPack: [], reachability: [] };
