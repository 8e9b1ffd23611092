import * as k8s from "@kubernetes/client-node";
import { EndpointName, ServicePort } from "./expectations";
import { LocalForward, forwardToPod } from "./portForward";

/** Base URLs of the stack's HTTP endpoints, opened on first use. */
export interface Endpoints {
  url(name: EndpointName): Promise<string>;
  close(): Promise<void>;
}

const selectorText = (selector: Readonly<Record<string, string>>): string =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** A pod of the Service that is Ready, as the Service itself would pick one. */
async function readyPod(core: k8s.CoreV1Api, target: ServicePort): Promise<string> {
  const { body } = await core.listNamespacedPod(
    target.namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    selectorText(target.selector),
  );
  const ready = body.items.find((pod) =>
    (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  );
  if (ready?.metadata?.name === undefined) {
    throw new Error(
      `no Ready pod behind Service ${target.namespace}/${target.service} (${body.items.length} pod(s) match ${selectorText(target.selector)})`,
    );
  }
  return ready.metadata.name;
}

/**
 * kind: the NodePorts kind/cluster.yaml maps to 127.0.0.1; every other port (and all of them on
 * eks) through a port-forward to a Ready pod of the Service. What the stack exposes is never changed.
 */
export function stackEndpoints(
  kubeConfig: k8s.KubeConfig,
  targets: Readonly<Record<EndpointName, ServicePort>>,
): Endpoints {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const open = new Map<EndpointName, LocalForward>();
  return {
    url: async (name) => {
      const target = targets[name];
      if (target.nodePort !== undefined) {
        return `http://127.0.0.1:${target.nodePort}`;
      }
      const existing = open.get(name);
      if (existing !== undefined) {
        return existing.base;
      }
      const forward = await forwardToPod(
        kubeConfig,
        target.namespace,
        await readyPod(core, target),
        target.port,
      );
      open.set(name, forward);
      return forward.base;
    },
    close: async () => {
      await Promise.all([...open.values()].map((f) => f.close()));
      open.clear();
    },
  };
}
