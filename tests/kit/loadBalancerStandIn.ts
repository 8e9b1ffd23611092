import * as k8s from "@kubernetes/client-node";
import { WatchedReconciler } from "./watchedReconciler";

/**
 * Stands in for the controller behind each IngressClass of the test cluster (EKS's AWS Load
 * Balancer Controller for `alb`), which the cluster lacks: once an Ingress of one of those classes
 * exists, it writes the load balancer's address to the Ingress' status, as the controller does
 * after provisioning the ALB. The Kubernetes provider waits for that address before it counts an
 * Ingress as created.
 */
export class LoadBalancerStandIn {
  private readonly networking: k8s.NetworkingV1Api;
  private readonly reconciler: WatchedReconciler;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly classes: readonly string[],
    /** The region in the load balancers' host names. */
    private readonly region: string,
  ) {
    this.networking = kubeConfig.makeApiClient(k8s.NetworkingV1Api);
    this.reconciler = new WatchedReconciler(
      kubeConfig,
      ["/apis/networking.k8s.io/v1/ingresses"],
      () => this.reconcile(),
      String,
    );
  }

  /** The last error of a pass, for failure messages (the next pass retries). */
  get lastError(): string | undefined {
    return this.reconciler.lastError;
  }

  start(): void {
    this.reconciler.start();
  }

  stop(): void {
    this.reconciler.stop();
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
