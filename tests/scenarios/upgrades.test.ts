import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { ConfigError } from "../../config";
import { KEY_CHANGES } from "../../config/migrations";
import { PROJECT_ROOT, RenderedStack, renderStack, renderWithConfig } from "../../render/renderStack";
import { renderUpgraded, upgradedStackFile } from "../../render/upgradeEdits";
import { Json } from "../kit/json";
import { STACKS } from "../kit/stacks";
import { UPGRADES_DIR, keptReleases, manifestDigest, recordedRender } from "../../render/upgradeRecords";
import { answeredUrns, resourceKey, urnOf } from "../../render/urns";
import { PROJECT } from "../../render/renderStack";
import { toManifest } from "../../render/manifest";
import { upgradeChanges, renderDigest } from "../../render/upgradeDigest";
import { KubeObject } from "../../render/manifest";
import { renderedLatestRelease } from "../support/renderedStacks";

/**
 * Each earlier release's committed stack files, as a team that adopted that release has them. With
 * this release's program they must render, or fail only on keys whose change the error explains.
 */
const RELEASES_DIR = UPGRADES_DIR;
const releases = keptReleases();

describe.each(releases)("upgrading the stack files of release %s", (release) => {
  test.each(STACKS)("Pulumi.%s.yaml renders, or every problem says how to migrate", async (stack) => {
    const render =
      release === releases.at(-1)
        ? renderedLatestRelease(stack)
        : renderStack(stack, path.join(RELEASES_DIR, release));
    const outcome = await render.then(
      (render) => render.objects.length,
      (error: unknown) => error,
    );
    if (typeof outcome === "number") {
      expect(outcome).toBeGreaterThan(0);
      return;
    }
    expect(outcome).toBeInstanceOf(ConfigError);
    for (const problem of (outcome as ConfigError).problems) {
      expect(problem).toMatch(/; changed in ([0-9.]+|the next release): .+/);
    }
  });
});

test("every key change names a release no later than this one", () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const order = (v: string) => v.split(".").map(Number);
  // Unset: the change is unreleased, and npm run record-upgrade refuses to cut a release until it is set.
  for (const change of KEY_CHANGES.filter((c) => c.release !== undefined)) {
    const [a, b] = [order(change.release ?? ""), order(version)];
    expect(a[0] * 1e6 + a[1] * 1e3 + a[2]).toBeLessThanOrEqual(b[0] * 1e6 + b[1] * 1e3 + b[2]);
    expect(releases.length).toBeGreaterThan(0);
  }
});

test("the 0.1.0 prod stack file fails on exactly the ALB keys 0.2.0 changed, each saying how to migrate", async () => {
  const error = await renderStack("prod", path.join(RELEASES_DIR, "0.1.0")).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const keys = (error as ConfigError).problems.map((p) => p.split(" ")[0]).sort();
  expect(keys).toEqual(
    [
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/listen-ports",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/scheme",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/ssl-redirect",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/target-type",
      "observability:exposure.ingress.certificateArn",
      "observability:exposure.ingress.tlsSecretName",
    ].sort(),
  );
  const scheme = (error as ConfigError).problems.find((p) => p.includes("/scheme"));
  expect(scheme).toMatch(/changed in 0\.2\.0: the scheme is exposure\.ingress\.scheme now, internal unless/);
});

describe("a single Loki (0.3.0, 0.4.0) becomes the replicated one by scaling up in place", () => {
  // As the upgrade notes since 0.3.0 ask a team to edit it (render/upgradeEdits.ts).
  const edited = upgradedStackFile("prod", "0.3.0");
  /**
   * The single Loki those releases deploy: the 0.3.0 prod stack file with one replica renders the
   * same Loki objects as they do (the whole render equals 0.4.0's byte for byte).
   */
  const renderSingle = () => {
    const { config, secretKeys } = edited;
    const logs = JSON.parse(config["observability:logs"] ?? "{}") as Record<string, unknown>;
    return renderWithConfig(
      "prod",
      { ...config, "observability:logs": JSON.stringify({ ...logs, replicas: 1, replicationFactor: 1 }) },
      secretKeys,
    );
  };
  const lokiSet = (r: RenderedStack) =>
    r.registrations.find((g) => g.type === "kubernetes:apps/v1:StatefulSet" && g.name === "logs-loki");

  test("the same protected StatefulSet with the same immutable fields: replicas and template change, nothing is replaced", async () => {
    const single = await renderSingle();
    const replicated = await renderWithConfig("prod", edited.config, edited.secretKeys, single.outputs);
    const [before, after] = [lokiSet(single), lokiSet(replicated)];
    // The same URN (type, name, provider): an update of the deployed StatefulSet, not a new one.
    expect(before).toBeDefined();
    expect(after).toMatchObject({
      type: before?.type,
      name: before?.name,
      provider: before?.provider,
      aliases: before?.aliases,
      protect: true,
      retainOnDelete: true,
      ignoreChanges: ["spec.volumeClaimTemplates"],
    });
    const immutable = (g: typeof before) => {
      const spec = g?.inputs.spec as Json;
      return [spec.selector, spec.serviceName, spec.podManagementPolicy, spec.volumeClaimTemplates];
    };
    expect(immutable(after)).toEqual(immutable(before));
    expect([(before?.inputs.spec as Json).replicas, (after?.inputs.spec as Json).replicas]).toEqual([1, 3]);
    // The first replica keeps the single Loki's claim, and with it the WAL not yet flushed to S3.
    const claims = (r: RenderedStack) =>
      r.patches.filter((p) => p.metadata.name.startsWith("data-loki-")).map((p) => p.metadata.name);
    expect(claims(single)).toEqual(["data-loki-0"]);
    expect(claims(replicated)).toEqual(["data-loki-0", "data-loki-1", "data-loki-2"]);
    const wal = (r: RenderedStack) => {
      const loki = r.objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "loki") as Json;
      const config = yaml.load(
        (r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "loki-config") as Json).data[
          "loki.yaml"
        ],
      ) as Json;
      const mount = loki.spec.template.spec.containers[0].volumeMounts.find(
        (m: Json) => m.name === "data",
      ) as Json;
      return [config.ingester.wal.dir, mount.mountPath, config.common.storage];
    };
    expect(wal(replicated)).toEqual(wal(single));
    // Alloy and Grafana keep their address: the `loki` Service is the same object.
    const service = (r: RenderedStack) =>
      r.objects.find((o) => o.kind === "Service" && o.metadata.name === "loki");
    expect(service(replicated)).toEqual(service(single));
  });
});

test("each kept release has its successor's render of its stack files recorded, and its own but for 0.1.0 (before the records)", () => {
  const wanted = releases.flatMap((release, i) => [
    ...(i === 0 ? [] : [[release, release]]),
    ...(i + 1 < releases.length ? [[release, releases[i + 1]]] : []),
  ]);
  for (const [release, program] of wanted) {
    for (const stack of STACKS) {
      const recorded = recordedRender(release, program, stack) === undefined ? "missing" : "recorded";
      expect(`${release} by ${program} ${stack}: ${recorded}`).toBe(
        `${release} by ${program} ${stack}: recorded`,
      );
    }
  }
});

describe("what an upgrade does, object by object", () => {
  const object = (kind: string, name: string, spec: Json): KubeObject =>
    ({ apiVersion: "v1", kind, metadata: { name, namespace: "observability" }, spec }) as KubeObject;
  const sts = (spec: Json) =>
    object("StatefulSet", "loki", { replicas: 1, serviceName: "loki", template: {}, ...spec });

  test("a new object is created, a gone one deleted, a changed one updated in place", () => {
    const before = renderDigest([sts({}), object("Service", "prometheus-query", {})]);
    const after = renderDigest([sts({ replicas: 3 }), object("Service", "loki-memberlist", {})]);
    expect(upgradeChanges(before, after)).toEqual({
      created: ["Service observability/loki-memberlist"],
      deleted: ["Service observability/prometheus-query"],
      replaced: [],
      updated: ["StatefulSet observability/loki"],
    });
  });

  test("a field Kubernetes will not update in place replaces the object; the claim templates the program ignores do not", () => {
    const before = renderDigest([sts({ volumeClaimTemplates: [{ size: 1 }] })]);
    expect(
      upgradeChanges(
        before,
        renderDigest([sts({ serviceName: "loki-headless", volumeClaimTemplates: [{ size: 1 }] })]),
      ),
    ).toMatchObject({
      replaced: ["StatefulSet observability/loki"],
      updated: [],
    });
    expect(
      upgradeChanges(before, renderDigest([sts({ volumeClaimTemplates: [{ size: 2 }] })])),
    ).toMatchObject({
      replaced: [],
      updated: ["StatefulSet observability/loki"],
    });
  });

  test("the same objects printed with their keys in another order are unchanged", () => {
    const a = object("ConfigMap", "x", { a: 1, b: { c: 2, d: 3 } });
    const b = object("ConfigMap", "x", { b: { d: 3, c: 2 }, a: 1 });
    expect(upgradeChanges(renderDigest([a]), renderDigest([b]))).toEqual({
      created: [],
      deleted: [],
      replaced: [],
      updated: [],
    });
  });
});

describe.each(releases.filter((release) => recordedRender(release, release, "kind")?.urns !== undefined))(
  "a stack deployed by %s, updated by this program",
  (release) => {
    test.each(STACKS)(
      "%s: every resource it keeps answers to a URN the release registered, and only the objects the upgrade note names come and go",
      async (stack) => {
        const recorded = recordedRender(release, release, stack);
        const urns = recorded?.urns ?? {};
        const render =
          release === releases.at(-1)
            ? await renderedLatestRelease(stack)
            : await renderUpgraded(stack, release);
        const deployment = { stack, project: PROJECT };
        const answered = answeredUrns(render.registrations, deployment);
        const kept = new Set([...answered.values()].flat());
        const recordedUrns = new Set(Object.values(urns));
        const changes = upgradeChanges(
          recorded?.objects ?? {},
          manifestDigest(toManifest([...render.objects, ...render.patches])),
        );
        // A resource the release registered that nothing answers to now is deleted, one registered
        // under no URN the release knew is created: a kept object under another URN would be both,
        // its data and state lost. Only the objects the upgrade note names come and go.
        const gone = Object.entries(urns)
          .filter(([, urn]) => !kept.has(urn))
          .map(([key]) => key);
        const come = render.registrations
          .filter((r) => !(answered.get(urnOf(r, deployment)) ?? []).some((urn) => recordedUrns.has(urn)))
          .map(resourceKey);
        expect(gone.sort()).toEqual([...changes.deleted].sort());
        expect(come.sort()).toEqual([...changes.created].sort());
      },
    );
  },
);
