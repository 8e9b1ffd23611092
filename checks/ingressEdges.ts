import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ALB_ANNOTATION, ALB_INGRESS_CLASS } from "../config/albAnnotations";
import { TLS12_ALB_POLICY } from "../config/sections/exposure";
import type { KubeObject } from "../render/manifest";
import { podsSelectedBy } from "./exposedBackends";
import { ADDRESS_ELSEWHERE, connectionAllowed } from "./networkReachability";
import { renderedPods } from "./podSpecs";

/** The policy an ALB listener gets when the Ingress names none (the AWS Load Balancer Controller's default). */
const CONTROLLER_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08";

interface IngressBackend {
  readonly service?: {
    readonly name: string;
    readonly port?: { readonly number?: number; readonly name?: string };
  };
}
interface IngressSpec {
  readonly ingressClassName?: string;
  readonly rules?: readonly {
    readonly http?: { readonly paths?: readonly { readonly backend: IngressBackend }[] };
  }[];
}
interface ServiceSpec {
  readonly ports?: readonly {
    readonly name?: string;
    readonly port: number;
    readonly targetPort?: number | string;
  }[];
}

/**
 * What an ALB Ingress leaves open at its edges: a listener that still negotiates TLS 1.0 or 1.1,
 * and backend pods that admit their port from any address, so that a host of the VPC reaches them
 * in plain HTTP past the load balancer's TLS and authentication.
 */
export function ingressEdgeProblems(objects: readonly KubeObject[]): string[] {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy") as unknown as INetworkPolicy[];
  const pods = renderedPods(objects);
  return objects
    .filter((o) => o.kind === "Ingress" && (o.spec as IngressSpec).ingressClassName === ALB_INGRESS_CLASS)
    .flatMap((ingress) => {
      const name = `Ingress/${ingress.metadata.namespace ?? ""}/${ingress.metadata.name}`;
      const sslPolicy = ingress.metadata.annotations?.[ALB_ANNOTATION.sslPolicy] ?? CONTROLLER_DEFAULT_POLICY;
      const tls = TLS12_ALB_POLICY.test(sslPolicy)
        ? []
        : [
            `${name} negotiates TLS 1.0 and 1.1 (${ALB_ANNOTATION.sslPolicy}: ${sslPolicy}); set exposure.ingress.sslPolicy`,
          ];
      const backends = ((ingress.spec as IngressSpec).rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).flatMap((path) =>
          path.backend.service === undefined ? [] : [path.backend.service],
        ),
      );
      const open = backends.flatMap((backend) => {
        const service = objects.find(
          (o) =>
            o.kind === "Service" &&
            o.metadata.name === backend.name &&
            o.metadata.namespace === ingress.metadata.namespace,
        );
        if (service === undefined) return [];
        const servicePort = ((service.spec as ServiceSpec).ports ?? []).find(
          (p) => p.port === backend.port?.number || (p.name !== undefined && p.name === backend.port?.name),
        );
        return podsSelectedBy(service, pods).flatMap((pod) => {
          const target = servicePort?.targetPort ?? servicePort?.port;
          const port =
            typeof target === "number"
              ? target
              : pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)
                  ?.containerPort;
          const party = {
            kind: "pod",
            namespace: pod.namespace,
            labels: pod.labels,
            ip: "10.244.0.2",
          } as const;
          return port !== undefined &&
            connectionAllowed(policies, ADDRESS_ELSEWHERE, party, { protocol: "TCP", port })
            ? [
                `${name}: ${pod.owner}'s pods admit port ${port} from any address, past the load balancer; set exposure.ingress.loadBalancerCidrs to the load balancer's subnets`,
              ]
            : [];
        });
      });
      return [...tls, ...new Set(open)];
    });
}
