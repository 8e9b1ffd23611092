import * as k8s from "@pulumi/kubernetes";
import { PART_OF } from "./labels";

type NetworkPolicyArgs = k8s.networking.v1.NetworkPolicyArgs;
type NetworkPolicyPort = k8s.types.input.networking.v1.NetworkPolicyPort;

function metadata(name: string, namespace: string) {
  return {
    name,
    namespace,
    labels: { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" },
  };
}

/** Denies all ingress and egress to every pod of the namespace; allows are added per edge. */
export function defaultDenyPolicy(namespace: string): NetworkPolicyArgs {
  return {
    metadata: metadata("default-deny", namespace),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

const DNS_PORTS: NetworkPolicyPort[] = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

/** Every pod may resolve names through the cluster DNS (CoreDNS in kube-system), and nothing else. */
export function dnsEgressPolicy(namespace: string): NetworkPolicyArgs {
  return {
    metadata: metadata("allow-dns-egress", namespace),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: DNS_PORTS,
        },
      ],
    },
  };
}
