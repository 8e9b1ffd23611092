import * as k8s from "@kubernetes/client-node";
import { extraFolderUid } from "../../components/grafana/extraDashboards";
import type { PulumiConfig } from "../../config";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { KIND_SHAPE, TestCluster, startCluster, waitFor } from "../kit/cluster";
import { Change, Changes, counted } from "../kit/engine/changes";
import { EngineStack, UpdateOutcome } from "../kit/engine/engineStack";
import { resourceName, resourceType } from "../kit/engine/urn";
import { GrafanaApi } from "../kit/grafanaApi";
import { GrafanaStandIn, startGrafanaStandIn } from "../kit/grafanaStandIn";
import { Json } from "../kit/json";
import { configSetJson } from "../kit/userEdits";
import { EXTEND_DIR, EXTENDED_STACK } from "../support/extendedStack";

// The kind stack deployed by the real engine, then what a team adds on day two: Grafana's extension
// keys of tests/unit/extend/Pulumi.extended.yaml (dashboards, single sign-on, teams, folder permissions),
// with `grafana.apiUrl` at a Grafana stand-in holding the teams' users and the dashboards' folder as
// its provisioning makes it; then a team's members changed, then a team removed. The Grafana API
// resources go through the Grafana provider stand-in (tests/kit/engine/grafanaProvider.ts), and the
// stand-in Grafana is read back through its API after each update.

const GRAFANA = "observability:grafana";
/** Joins the payments team in the members edit: a colleague who has signed in once. */
const NEW_COLLEAGUE = "choi@tiketi.example.com";

interface Team {
  readonly name: string;
  readonly email?: string;
  readonly members: readonly string[];
}
interface Grant {
  readonly folder: string;
  readonly team: string;
  readonly permission: string;
}

/** `created`/`updated`/… → the `type name` of each resource an update changed that way. */
function byChange(changes: Changes): Partial<Record<Change, string[]>> {
  const found: Partial<Record<Change, string[]>> = {};
  for (const [urn, change] of changes) {
    (found[change] ??= []).push(`${resourceType(urn)} ${resourceName(urn)}`);
  }
  for (const list of Object.values(found)) list.sort();
  return found;
}

describe("Grafana's extension keys on a running kind stack, through the real engine", () => {
  const log: string[] = [];
  const kind = readStackFile("kind", PROJECT_ROOT);
  const extension = JSON.parse(readStackFile(EXTENDED_STACK, EXTEND_DIR).config[GRAFANA]) as Json;
  const teams = extension.teams as Team[];
  const folder = (extension.folderPermissions as Grant[])[0].folder;
  const secretKeys = [...kind.secretKeys, GRAFANA];
  let config: PulumiConfig;
  let cluster: TestCluster;
  let engine: EngineStack;
  let grafana: GrafanaStandIn;
  let api: GrafanaApi;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  const step = async (name: string, up: () => Promise<UpdateOutcome>): Promise<UpdateOutcome> => {
    const outcome = await up();
    log.push(
      `✓ ${name}: ${counted(outcome.applied)} in ${outcome.run.seconds.toFixed(1)} s, as its preview${outcome.review === undefined ? "" : ` and the review (${outcome.review.verdict})`} said`,
    );
    return outcome;
  };

  /** The UIDs of Grafana's StatefulSet and of every claim: what holds its data. */
  const dataUids = async () => [
    `StatefulSet grafana ${(await apps.readNamespacedStatefulSet("grafana", "observability")).body.metadata?.uid}`,
    ...(await core.listNamespacedPersistentVolumeClaim("observability")).body.items.map(
      (c) => `PersistentVolumeClaim ${c.metadata?.name} ${c.metadata?.uid}`,
    ),
  ];

  /** Each team Grafana holds: its ordinary members and its admins, by e-mail. */
  const grafanaTeams = async () =>
    Object.fromEntries(
      await Promise.all(
        (await api.searchTeams()).map(async (team) => {
          const members = await api.teamMembers(team.id);
          const emails = (permission: number) =>
            members
              .filter((m) => m.permission === permission)
              .map((m) => m.email)
              .sort();
          return [team.name, { email: team.email, members: emails(0), admins: emails(4) }];
        }),
      ),
    );

  /** The folder's permissions as Grafana lists them: `<role or team>: <permission>`. */
  const folderGrants = async () =>
    (await api.folderPermissions(extraFolderUid(folder)))
      .map((entry) => `${entry.role ?? `team ${entry.team}`}: ${entry.permissionName}`)
      .sort();

  const editTeams = async (edited: readonly Team[], grants: readonly Grant[]) => {
    config = configSetJson(
      configSetJson(config, "grafana.teams", edited),
      "grafana.folderPermissions",
      grants,
    );
    await engine.edit({ config, secretKeys });
  };

  beforeAll(async () => {
    cluster = await startCluster(KIND_SHAPE);
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    apps = cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
    engine = new EngineStack("kind", cluster);
    config = kind.config;
    await engine.init(kind);
  });

  afterAll(async () => {
    await grafana?.close();
    await cluster?.stop();
    engine?.remove();
    console.log(log.join("\n"));
  });

  test("the kind stack's first up creates it; Grafana answers with the password the stack made", async () => {
    const first = await step("pulumi up of the kind stack", () => engine.up());
    expect(first.run.failures).toEqual([]);
    const user = await engine.workspace.output("kind", "grafanaAdminUser");
    const password = await engine.workspace.output("kind", "grafanaAdminPassword", true);
    grafana = await startGrafanaStandIn({
      user,
      password,
      datasources: {},
      folder: "Tiketi",
      dashboards: [],
      users: [...new Set([...teams.flatMap((t) => t.members), NEW_COLLEAGUE])].map((email) => ({
        login: email.split("@")[0],
        email,
        name: email.split("@")[0],
      })),
      folders: [{ uid: extraFolderUid(folder), title: folder }],
    });
    api = new GrafanaApi(grafana.base, `${user}:${password}`);
    expect(await api.searchTeams()).toEqual([]);
    expect(await folderGrants()).toEqual(["Editor: Edit", "Viewer: View"]);
  });

  test("dashboards, single sign-on, teams and folder permissions added: Grafana is updated in place, and its API gets the teams and the grants", async () => {
    config = { ...config, [GRAFANA]: JSON.stringify({ ...extension, apiUrl: grafana.base }) };
    await engine.edit({ config, secretKeys });
    const before = await dataUids();
    const outcome = await step("the Grafana extension keys, pulumi up", () => engine.up());
    expect(outcome.disagreements).toEqual([]);
    const changes = byChange(outcome.applied);
    expect(changes.created).toEqual([
      "grafana:oss/folderPermission:FolderPermission grafana-folder-permission-extra-payments",
      "grafana:oss/team:Team grafana-team-payments",
      "grafana:oss/team:Team grafana-team-support",
      "kubernetes:core/v1:ConfigMap grafana-dashboards-payments",
      "pulumi:providers:grafana grafana-api",
    ]);
    expect(changes.deleted).toBeUndefined();
    expect(changes.replaced).toBeUndefined();
    // Grafana's Secret (the client secret), provisioning, pod (the dashboards' mount, the SSO
    // environment) and NetworkPolicy (egress to the identity provider) change in place.
    expect(changes.updated).toEqual([
      "kubernetes:apps/v1:StatefulSet grafana-grafana",
      "kubernetes:core/v1:ConfigMap grafana-provisioning",
      "kubernetes:core/v1:Secret grafana-credentials",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy grafana-grafana",
    ]);
    // The data stays: the StatefulSet and its claim are updated, never replaced.
    expect(await dataUids()).toEqual(before);

    const pod = await waitFor(async () => {
      const pods = await core.listNamespacedPod(
        "observability",
        undefined,
        undefined,
        undefined,
        undefined,
        "app.kubernetes.io/name=grafana",
      );
      return pods.body.items.find(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          (p.spec?.volumes ?? []).some((v) => v.configMap?.name === "grafana-dashboards-payments") &&
          p.status?.phase === "Running",
      );
    }, "a running Grafana pod that mounts the extra dashboards");
    const env = Object.fromEntries(
      (pod.spec?.containers.find((c) => c.name === "grafana")?.env ?? []).map((e) => [e.name, e.value]),
    );
    expect(env.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET__FILE).toBe("/etc/grafana/secrets/sso-client-secret");
    const dashboards = await core.readNamespacedConfigMap("grafana-dashboards-payments", "observability");
    expect(Object.keys(dashboards.body.data ?? {}).sort()).toEqual([
      "payments-overview.json",
      "payments-queue-latency.json",
    ]);

    // Grafana makes the admin who creates a team its admin member; the configured members are members.
    expect(await grafanaTeams()).toEqual(
      Object.fromEntries(
        teams.map((t) => [
          t.name,
          { email: t.email ?? "", members: [...t.members].sort(), admins: ["admin@localhost"] },
        ]),
      ),
    );
    // The folder keeps the basic roles' defaults beside the team grants: the list is replaced as a whole.
    expect(await folderGrants()).toEqual([
      "Editor: Edit",
      "Viewer: View",
      "team payments: Edit",
      "team support: View",
    ]);
  });

  test("right after, a preview finds nothing to change: what the provider read back is what the program asks", async () => {
    const preview = await engine.preview("--expect-no-changes");
    log.push(
      `✓ pulumi preview --expect-no-changes: ${JSON.stringify(preview.summary)} in ${preview.seconds.toFixed(1)} s`,
    );
    expect(`${preview.status} ${preview.errors.join("\n")}`).toBe("0 ");
  });

  test("a team's members changed: the team alone is updated, and Grafana has the new members", async () => {
    const [payments, ...others] = teams;
    const members = [payments.members[0], NEW_COLLEAGUE];
    await editTeams([{ ...payments, members }, ...others], extension.folderPermissions as Grant[]);
    const outcome = await step("a colleague in, one out of the payments team, pulumi up", () => engine.up());
    expect(outcome.disagreements).toEqual([]);
    expect(byChange(outcome.applied)).toEqual({ updated: ["grafana:oss/team:Team grafana-team-payments"] });
    expect((await grafanaTeams()).payments.members).toEqual([...members].sort());
    expect(await folderGrants()).toContain("team payments: Edit");
  });

  test("a team removed with its grant: the team is deleted and the folder's list rewritten without it", async () => {
    const remaining = (JSON.parse(config[GRAFANA]) as { teams: Team[] }).teams.filter(
      (t) => t.name !== "support",
    );
    const grants = (extension.folderPermissions as Grant[]).filter((g) => g.team !== "support");
    await editTeams(remaining, grants);
    const outcome = await step("the support team removed, pulumi up", () => engine.up());
    expect(outcome.disagreements).toEqual([]);
    expect(byChange(outcome.applied)).toEqual({
      deleted: ["grafana:oss/team:Team grafana-team-support"],
      updated: ["grafana:oss/folderPermission:FolderPermission grafana-folder-permission-extra-payments"],
    });
    expect(Object.keys(await grafanaTeams())).toEqual(["payments"]);
    expect(await folderGrants()).toEqual(["Editor: Edit", "Viewer: View", "team payments: Edit"]);
  });
});
