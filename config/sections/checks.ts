import type { z } from "zod";
import { DEMO_NAMESPACE } from "../demo";
import type { Issue } from "../issue";
import type { Profile } from "../profiles";
import type { appsSection } from "./apps";
import type { demoSection } from "./demo";
import type { exposureSection } from "./exposure";
import type { grafanaSection } from "./grafana";
import { REGISTRY_CREDENTIALS_SECRET, imagesSection } from "./images";
import type { logsSection } from "./logs";
import type { meshSection } from "./mesh";
import type { namespacesSection } from "./namespaces";
import type { storageSection } from "./storage";

// The rules across keys of the sections in this folder; config/schema.ts says what each reads.

/** The validated sections these rules read, by name. */
interface Validated {
  readonly profile: Profile;
  readonly namespaces: z.output<typeof namespacesSection>;
  readonly apps: z.output<typeof appsSection>;
  readonly logs: z.output<typeof logsSection>;
  readonly grafana: z.output<typeof grafanaSection>;
  readonly exposure: z.output<typeof exposureSection>;
  readonly storage: z.output<typeof storageSection>;
  readonly images: z.output<typeof imagesSection>;
  readonly demo: z.output<typeof demoSection>;
  readonly mesh: z.output<typeof meshSection>;
}

/** The stack's two namespaces are two: their Pod Security levels differ. */
export function observabilityAndNodeNamespacesDiffer(
  value: Pick<Validated, "namespaces">,
  issue: Issue,
): void {
  if (value.namespaces.observability === value.namespaces.node) {
    issue(["namespaces", "node"], "must differ from namespaces.observability");
  }
}

/** No app lives in one of the stack's own namespaces. */
export function appNamespacesNotTheStacks(value: Pick<Validated, "namespaces" | "apps">, issue: Issue): void {
  for (const [i, ns] of value.apps.namespaces.entries()) {
    if (ns === value.namespaces.observability || ns === value.namespaces.node) {
      issue(["apps", "namespaces", i], "must not be one of the stack's own namespaces");
    }
  }
}

/** The mesh leaves the stack's own namespaces alone. */
export function meshNamespacesNotTheStacks(
  value: Pick<Validated, "namespaces" | "mesh">,
  issue: Issue,
): void {
  const own = [value.namespaces.observability, value.namespaces.node];
  const notOwn = (ns: string, path: (string | number)[]) => {
    if (own.includes(ns)) {
      issue(path, `must not be one of the stack's own namespaces (${own.join(", ")}), which are not meshed`);
    }
  };
  value.mesh.istio.namespaces.forEach((ns, i) => notOwn(ns, ["mesh", "istio", "namespaces", i]));
  notOwn(value.mesh.istio.istiodNamespace, ["mesh", "istio", "istiodNamespace"]);
}

/** Kiali is exposed only where it runs. */
export function kialiExposedOnlyWithMesh(value: Pick<Validated, "exposure" | "mesh">, issue: Issue): void {
  const { enabled, kiali } = value.mesh.istio;
  if (value.exposure.ingress?.kiali !== undefined && !(enabled && kiali)) {
    issue(
      ["exposure", "ingress", "kiali"],
      "exposes Kiali, which runs only with mesh.istio.enabled and mesh.istio.kiali true",
    );
  }
}

/** A pull Secret named in images.pullSecrets is not the one the stack creates. */
export function pullSecretsNotTheCreatedOne(value: Pick<Validated, "images">, issue: Issue): void {
  if (value.images.registryCredentials !== undefined) {
    value.images.pullSecrets.forEach((name, i) => {
      if (name === REGISTRY_CREDENTIALS_SECRET) {
        issue(
          ["images", "pullSecrets", i],
          `must not be ${REGISTRY_CREDENTIALS_SECRET}: the stack creates that Secret from images.registryCredentials`,
        );
      }
    });
  }
}

/** Grafana's replicas share a database. */
export function grafanaReplicasShareADatabase(value: Pick<Validated, "grafana">, issue: Issue): void {
  if (value.grafana.replicas > 1 && value.grafana.database === undefined) {
    issue(
      ["grafana", "database"],
      "is required when grafana.replicas is above 1 (host, name, user, password, sslMode): replicas cannot share SQLite on one volume",
    );
  }
}

/** Loki's replicas keep their chunks in S3. */
export function lokiReplicasKeepChunksInS3(value: Pick<Validated, "logs" | "storage">, issue: Issue): void {
  if (value.logs.replicas > 1 && value.storage.s3?.loki === undefined) {
    issue(
      ["logs", "replicas"],
      "above 1 needs storage.s3.loki (bucket, region, roleArn): replicas cannot share chunks and index kept on a volume",
    );
  }
}

/** The demo's namespace is the demo's alone. */
export function demoNamespaceNotAnApp(value: Pick<Validated, "demo" | "apps">, issue: Issue): void {
  if (value.demo.enabled && value.apps.namespaces.includes(DEMO_NAMESPACE)) {
    issue(["apps", "namespaces"], `must not list ${DEMO_NAMESPACE} while demo.enabled: the demo owns it`);
  }
}

/** The demo runs on kind only. */
export function demoOnlyOnKind(value: Pick<Validated, "profile" | "demo">, issue: Issue): void {
  if (value.profile === "eks" && value.demo.enabled) {
    issue(
      ["demo", "enabled"],
      "is for the kind profile only: the demo generates made-up traffic for a laptop cluster; set it to false on eks",
    );
  }
}

/** On eks, Loki and Tempo keep their data in S3: the bucket of `backend` is required. */
const bucketOnEks =
  (backend: "loki" | "tempo") =>
  (value: Pick<Validated, "profile" | "storage">, issue: Issue): void => {
    if (value.profile === "eks" && value.storage.s3?.[backend] === undefined) {
      issue(
        ["storage", "s3", backend],
        `is required on profile eks (bucket, region and roleArn): ${backend === "loki" ? "Loki keeps chunks and index" : "Tempo keeps blocks"} in S3`,
      );
    }
  };

/** On eks, Loki's bucket is set. */
export const lokiBucketOnEks = bucketOnEks("loki");

/** On eks, Tempo's bucket is set. */
export const tempoBucketOnEks = bucketOnEks("tempo");

/** Buckets only on eks, which reaches them through IRSA. */
export function s3OnlyOnEks(value: Pick<Validated, "profile" | "storage">, issue: Issue): void {
  if (value.profile === "kind" && value.storage.s3 !== undefined) {
    issue(["storage", "s3"], "is only supported on profile eks (it needs IRSA); kind keeps data on volumes");
  }
}

/**
 * On eks, what is exposed goes through an Ingress, and each UI without a login of its own behind its
 * authentication.
 */
export function eksExposedThroughAuthenticatedIngress(
  value: Pick<Validated, "profile" | "exposure">,
  issue: Issue,
): void {
  if (value.profile !== "eks") {
    return;
  }
  if (value.exposure.mode !== "ingress") {
    issue(
      ["exposure", "mode"],
      "must be ingress on profile eks: only Grafana is exposed, through an Ingress",
    );
  }
  const ingress = value.exposure.ingress;
  for (const ui of ["prometheus", "alertmanager", "kiali"] as const) {
    if (ingress?.[ui] !== undefined && ingress.auth === undefined) {
      issue(
        ["exposure", "ingress", ui],
        "needs exposure.ingress.auth on profile eks (oidc or cognito): Prometheus, Alertmanager and Kiali (anonymous, read-only) have no login of their own",
      );
    }
  }
}
