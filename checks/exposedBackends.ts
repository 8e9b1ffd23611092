import * as yaml from "js-yaml";
import { ALB_ANNOTATION } from "../config/albAnnotations";
import { STATEFULSET_POD_NAME_LABEL } from "../components/common/service";
import { ALERTMANAGER, PROMETHEUS } from "../components/metrics/names";
import { KIALI } from "../components/kiali/names";
import type { KubeObject } from "../render/manifest";

/** A pod as its controller creates it: its name and the labels a Service selects it by. */
export interface ReplicaPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface StatefulSetSpec {
  readonly replicas?: number;
  readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> } };
}

const selectorOf = (service: KubeObject) =>
  (service.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};

/**
 * The pods the StatefulSet controller creates from the rendered StatefulSets: `<name>-<ordinal>`
 * with the template's labels plus the pod-name label it adds to each.
 */
export function statefulSetPods(objects: readonly KubeObject[]): ReplicaPod[] {
  return objects
    .filter((o) => o.kind === "StatefulSet")
    .flatMap((set) => {
      const spec = set.spec as StatefulSetSpec;
      return Array.from({ length: spec.replicas ?? 1 }, (_, ordinal) => {
        const name = `${set.metadata.name}-${ordinal}`;
        return {
          namespace: set.metadata.namespace ?? "",
          name,
          labels: { ...(spec.template?.metadata?.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name },
        };
      });
    });
}

/** The pods a Service's selector picks, as its endpoints controller would. */
export function podsSelectedBy<P extends Pick<ReplicaPod, "namespace" | "labels">>(
  service: KubeObject,
  pods: readonly P[],
): P[] {
  const selector = Object.entries(selectorOf(service));
  return selector.length === 0
    ? []
    : pods.filter(
        (pod) =>
          pod.namespace === service.metadata.namespace &&
          selector.every(([key, value]) => pod.labels[key] === value),
      );
}

/** The Service an in-cluster URL (`http://<service>.<namespace>.svc:<port>`) goes through. */
export function serviceOfUrl(objects: readonly KubeObject[], url: string): KubeObject | undefined {
  const [service, namespace, svc] = new URL(url).hostname.split(".");
  return svc !== "svc"
    ? undefined
    : objects.find(
        (o) => o.kind === "Service" && o.metadata.name === service && o.metadata.namespace === namespace,
      );
}

interface ProvisionedDatasource {
  readonly name: string;
  readonly type: string;
  readonly url: string;
}

/** The datasources Grafana is provisioned with, from the rendered ConfigMaps. */
export function provisionedDatasources(objects: readonly KubeObject[]): ProvisionedDatasource[] {
  return objects
    .filter((o) => o.kind === "ConfigMap")
    .flatMap((o) => {
      const file = (o.data as Record<string, string> | undefined)?.["datasources.yaml"];
      return file === undefined
        ? []
        : ((yaml.load(file) as { datasources?: ProvisionedDatasource[] }).datasources ?? []);
    });
}

/**
 * Grafana's Prometheus datasources read one consistent view: never a Service over more than one
 * Prometheus replica, whose answers alternate between replicas with different gaps.
 */
export function roundRobinDatasourceProblems(objects: readonly KubeObject[]): string[] {
  const prometheusPods = statefulSetPods(objects).filter(
    (pod) => pod.labels["app.kubernetes.io/name"] === PROMETHEUS.name,
  );
  return provisionedDatasources(objects)
    .filter((d) => d.type === "prometheus")
    .flatMap((d) => {
      const service = serviceOfUrl(objects, d.url);
      const selected = service === undefined ? [] : podsSelectedBy(service, prometheusPods);
      return selected.length > 1
        ? [
            `Grafana datasource ${d.name} queries Service/${service?.metadata.name ?? ""}, which selects ${selected.length} Prometheus replicas (${selected.map((p) => p.name).join(", ")}); point it at one replica or at the deduplicating store`,
          ]
        : [];
    });
}

const AUTHENTICATING = ["oidc", "cognito"];

interface IngressSpec {
  readonly rules?: readonly {
    readonly http?: {
      readonly paths?: readonly { readonly backend?: { readonly service?: { readonly name?: string } } }[];
    };
  }[];
}

/**
 * An Ingress that routes to Prometheus or Alertmanager (which have no login of their own) has the
 * ALB authenticate every request first.
 */
export function unauthenticatedUiProblems(objects: readonly KubeObject[]): string[] {
  const guarded = [PROMETHEUS.name, ALERTMANAGER.name, KIALI.name];
  return objects
    .filter((o) => o.kind === "Ingress")
    .flatMap((ingress) => {
      const authType = ingress.metadata.annotations?.[ALB_ANNOTATION.authType] ?? "none";
      if (AUTHENTICATING.includes(authType)) {
        return [];
      }
      const backends = ((ingress.spec as IngressSpec).rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).map((p) => p.backend?.service?.name),
      );
      return backends.flatMap((name) => {
        const service = objects.find(
          (o) =>
            o.kind === "Service" &&
            o.metadata.name === name &&
            o.metadata.namespace === ingress.metadata.namespace,
        );
        const app = service === undefined ? undefined : selectorOf(service)["app.kubernetes.io/name"];
        return app === undefined || !guarded.includes(app)
          ? []
          : [
              `Ingress/${ingress.metadata.namespace ?? ""}/${ingress.metadata.name} routes to Service/${name ?? ""} (${app}) without ALB authentication (${ALB_ANNOTATION.authType}: ${authType}); set exposure.ingress.auth`,
            ];
      });
    });
}
