import * as k8s from "@kubernetes/client-node";

/**
 * Stands in for the controller behind each IngressClass of the test cluster (EKS's AWS Load
 * Balancer Controller for `alb`), which the cluster lacks: once an Ingress of one of those classes
 * exists, it writes the load balancer's address to the Ingress' status, as the controller does
 * after provisioning the ALB. The Kubernetes provider waits for that address before it counts an
 * Ingress as created.
 */
export class LoadBalancerStandIn {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly networking: k8s.NetworkingV1Api;
  /** The last error of a pass, for failure messages (the next pass retries). */
  lastError: string | undefined;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly classes: readonly string[],
    /** The region in the load balancers' host names. */
    private readonly region: string,
  ) {
    this.networking = kubeConfig.makeApiClient(k8s.NetworkingV1Api);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.busy) {
        this.busy = true;
        this.reconcile()
          .catch((error: unknown) => (this.lastError = `${new Date().toISOString()} ${String(error)}`))
          .finally(() => (this.busy = false));
      }
    }, 200);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async reconcile(): Promise<void> {
    for (const ingress of (await this.networking.listIngressForAllNamespaces()).body.items) {
      const { name = "", namespace = "" } = ingress.metadata ?? {};
      if (
        !this.classes.includes(ingress.spec?.ingressClassName ?? "") ||
        (ingress.status?.loadBalancer?.ingress ?? []).length > 0
      ) {
        continue;
      }
      const hostname = `k8s-${namespace}-${name}-0123456789.${this.region}.elb.amazonaws.com`.slice(0, 253);
      await this.networking.patchNamespacedIngressStatus(
        name,
        namespace,
        { status: { loadBalancer: { ingress: [{ hostname }] } } },
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } },
      );
    }
  }
}
