import * as jmespath from "jmespath";
import { openApiProblems } from "../../../checks/kubernetesSchema";
import { podSecurityProblems } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import * as yaml from "js-yaml";
import { parsePulumiConfig } from "../../../config/load";
import { ALL_BACKENDS } from "../../../components/grafana/datasources";
import { readExtraDashboards } from "../../../components/grafana/extraDashboards";
import { roleAttributePath } from "../../../components/grafana/singleSignOn";
import { KubeObject } from "../../../render/manifest";
import { Registration } from "../../../render/mocks";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { strictDecodeProblems } from "../../../testing/strictDecode";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";
import { Json } from "../../kit/json";

const extendFile = () => readStackFile(EXTENDED_STACK, EXTEND_DIR);

/** The prod stack with the extension stack file's `observability:grafana` keys merged in. */
function prodWithGrafanaKeys() {
  const prod = readStackFile("prod", PROJECT_ROOT);
  const extend = extendFile();
  const key = "observability:grafana";
  const grafana = { ...JSON.parse(prod.config[key]), ...JSON.parse(extend.config[key]) };
  return {
    config: { ...prod.config, [key]: JSON.stringify(grafana) },
    secretKeys: [...new Set([...prod.secretKeys, ...extend.secretKeys])],
  };
}

/**
 * Offline every encrypted value renders alike, and the extension stack file holds several: the
 * client secret gets a value of its own, so the render shows where it (and only it) went.
 */
const SSO_SENTINEL = "sso-client-secret-sentinel";
function withSentinel(stack: { config: Record<string, string>; secretKeys: string[] }) {
  const key = "observability:grafana";
  const grafana = JSON.parse(stack.config[key]) as Json;
  grafana.sso = { ...grafana.sso, clientSecret: SSO_SENTINEL };
  return { ...stack, config: { ...stack.config, [key]: JSON.stringify(grafana) } };
}

const both: Promise<Record<"kind" | "prod", RenderedStack>> = (async () => {
  // Renders share the process-global Pulumi runtime: one after the other.
  const extended = withSentinel(extendFile());
  const kind = await renderWithConfig("kind", extended.config, extended.secretKeys);
  const { config, secretKeys } = withSentinel(prodWithGrafanaKeys());
  const prod = await renderWithConfig("prod", config, secretKeys);
  return { kind, prod };
})();

const grafanaWorkload = (objects: readonly KubeObject[]): Json =>
  objects.find(
    (o) => ["StatefulSet", "Deployment"].includes(o.kind) && o.metadata.name === "grafana",
  ) as Json;
const grafanaContainer = (objects: readonly KubeObject[]): Json =>
  grafanaWorkload(objects).spec.template.spec.containers.find((c: Json) => c.name === "grafana");
const envOf = (objects: readonly KubeObject[]): Record<string, string> =>
  Object.fromEntries(
    (grafanaContainer(objects).env as Json[])
      .filter((e) => e.value !== undefined)
      .map((e) => [e.name as string, e.value as string]),
  );
const ofType = (registrations: readonly Registration[], type: string) =>
  registrations.filter((r) => r.type === type);

test.each(["kind", "prod"] as const)(
  "%s with every Grafana extension key: the Kubernetes schema, strict decoding and Pod Security still hold",
  async (stack) => {
    const { objects } = (await both)[stack];
    expect(objects.flatMap(openApiProblems)).toEqual([]);
    expect(strictDecodeProblems(objects)).toEqual([]);
    expect(
      renderedPods(objects).flatMap((pod) =>
        podSecurityProblems(pod, { nodeNamespace: "observability-node" }),
      ),
    ).toEqual([]);
  },
);

describe("grafana.extraDashboards", () => {
  const config = () => {
    const { config: raw, secretKeys } = extendFile();
    return parsePulumiConfig(raw, secretKeys);
  };

  test("a grafana.com export's __inputs become the provisioned UIDs of their type; an internal export loads as written", () => {
    const { folders, problems } = readExtraDashboards(config(), ALL_BACKENDS, PROJECT_ROOT);
    expect(problems).toEqual([]);
    expect(folders.map((f) => [f.folder, f.folderUid, Object.keys(f.files)])).toEqual([
      ["Payments", "extra-payments", ["payments-overview.json", "payments-queue-latency.json"]],
    ]);
    const overview = JSON.parse(folders[0].files["payments-overview.json"]) as Json;
    expect(overview.__inputs).toBeUndefined();
    expect(JSON.stringify(overview)).not.toContain("${DS_");
    const refs = (overview.panels as Json[]).flatMap((p) => [
      p.datasource,
      ...p.targets.map((t: Json) => t.datasource),
    ]);
    expect(new Set(refs.map((r) => `${r.type}/${r.uid}`))).toEqual(
      new Set(["prometheus/prometheus", "loki/loki"]),
    );
    // Expressions and everything but the inputs are the file's own.
    expect(overview.panels[0].targets[0].expr).toBe(
      'sum by (uri) (rate(http_server_requests_seconds_count{service="payment-service"}[$__rate_interval]))',
    );
    const queue = JSON.parse(folders[0].files["payments-queue-latency.json"]) as Json;
    expect(queue.panels[1].datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
    expect(queue.panels[2].datasource).toBe("Prometheus");
  });

  test.each(["kind", "prod"] as const)(
    "%s: one ConfigMap per folder, its own file provider under the fixed folder UID, mounted where the provider reads",
    async (stack) => {
      const { objects } = (await both)[stack];
      const data = configMapData(objects, "grafana-dashboards-payments");
      expect(Object.keys(data).sort()).toEqual(["payments-overview.json", "payments-queue-latency.json"]);
      expect((JSON.parse(data["payments-overview.json"]) as Json).title).toBe("Payments overview");
      const providers = (yaml.load(configMapData(objects, "grafana-provisioning")["dashboards.yaml"]) as Json)
        .providers as Json[];
      expect(providers.map((p) => [p.folder, p.folderUid, p.options.path])).toEqual([
        ["Tiketi", undefined, "/etc/grafana/dashboards"],
        ["Payments", "extra-payments", "/etc/grafana/extra-dashboards/payments"],
      ]);
      const pod = grafanaWorkload(objects).spec.template.spec;
      const volume = (pod.volumes as Json[]).find((v) => v.configMap?.name === "grafana-dashboards-payments");
      expect(volume).toBeDefined();
      expect(grafanaContainer(objects).volumeMounts).toContainEqual({
        name: volume?.name,
        mountPath: "/etc/grafana/extra-dashboards/payments",
        readOnly: true,
      });
      // The stack's own dashboards are all still there, beside the team's.
      expect(Object.keys(configMapData(objects, "grafana-dashboards"))).toHaveLength(17);
    },
  );

  test("without the key nothing changes: no extra ConfigMap, one provider", async () => {
    const { objects } = await rendered("kind");
    expect(
      objects.filter((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("grafana-dashboards-")),
    ).toEqual([]);
    const providers = (yaml.load(configMapData(objects, "grafana-provisioning")["dashboards.yaml"]) as Json)
      .providers as Json[];
    expect(providers).toHaveLength(1);
  });
});

describe("grafana.sso", () => {
  const mapping = { "/platform": "GrafanaAdmin", "/payments": "Editor", "/support": "Viewer" } as const;
  // Claims as Keycloak's userinfo endpoint returns them with a "Group Membership" mapper (full path on).
  const keycloakUser = (groups?: string[]) => ({
    sub: "f1b2c3d4-0000-4000-8000-000000000001",
    email_verified: true,
    name: "Kim Minji",
    preferred_username: "kim",
    given_name: "Minji",
    family_name: "Kim",
    email: "kim@tiketi.example.com",
    ...(groups === undefined ? {} : { groups }),
  });

  test("role_attribute_path, run by a JMESPath implementation: the strongest mapped group wins, unmapped users get nothing", () => {
    const expression = roleAttributePath(mapping, "groups");
    const role = (claims: object): unknown => jmespath.search(claims, expression);
    expect(role(keycloakUser(["/payments"]))).toBe("Editor");
    expect(role(keycloakUser(["/support", "/payments"]))).toBe("Editor");
    expect(role(keycloakUser(["/support", "/platform"]))).toBe("GrafanaAdmin");
    expect(role(keycloakUser(["/support"]))).toBe("Viewer");
    expect(role(keycloakUser(["/marketing"]))).toBeNull();
    expect(role(keycloakUser())).toBeNull();
  });

  test("group names with quotes and backslashes are matched literally", () => {
    const group = "O'Brien's \\ops";
    const expression = roleAttributePath({ [group]: "Admin" }, "roles");
    expect(jmespath.search({ roles: [group] }, expression)).toBe("Admin");
    expect(jmespath.search({ roles: ["O'Brien's"] }, expression)).toBeNull();
  });

  test.each([
    ["kind", "http://localhost:30006"],
    ["prod", "https://grafana.tiketi.example.com"],
  ] as const)(
    "%s: [auth.generic_oauth] as environment, the client secret only as a file from the credentials Secret, root URL %s",
    async (stack, rootUrl) => {
      const { objects } = (await both)[stack];
      const env = envOf(objects);
      expect(env).toMatchObject({
        GF_SERVER_ROOT_URL: rootUrl,
        GF_AUTH_GENERIC_OAUTH_ENABLED: "true",
        GF_AUTH_GENERIC_OAUTH_NAME: "Keycloak",
        GF_AUTH_GENERIC_OAUTH_CLIENT_ID: "grafana",
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET__FILE: "/etc/grafana/secrets/sso-client-secret",
        GF_AUTH_GENERIC_OAUTH_SCOPES: "openid email profile groups",
        GF_AUTH_GENERIC_OAUTH_AUTH_URL:
          "https://sso.tiketi.example.com/realms/tiketi/protocol/openid-connect/auth",
        GF_AUTH_GENERIC_OAUTH_TOKEN_URL:
          "https://sso.tiketi.example.com/realms/tiketi/protocol/openid-connect/token",
        GF_AUTH_GENERIC_OAUTH_API_URL:
          "https://sso.tiketi.example.com/realms/tiketi/protocol/openid-connect/userinfo",
        GF_AUTH_GENERIC_OAUTH_ALLOWED_GROUPS: "/platform /payments /support",
        GF_AUTH_GENERIC_OAUTH_GROUPS_ATTRIBUTE_PATH: "groups",
        GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH: roleAttributePath(mapping, "groups"),
        GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_STRICT: "true",
        GF_AUTH_GENERIC_OAUTH_ALLOW_ASSIGN_GRAFANA_ADMIN: "true",
        GF_AUTH_DISABLE_LOGIN_FORM: "true",
      });
      // The admin keeps the API (basic auth is on by default and not turned off).
      expect(Object.keys(env).filter((k) => k.startsWith("GF_AUTH_BASIC"))).toEqual([]);
      const credentials = objectNamed(objects, "Secret", "grafana-credentials");
      expect(Object.keys(credentials.stringData as Json)).toContain("sso-client-secret");
      const pod = grafanaWorkload(objects).spec.template.spec;
      expect(pod.volumes).toContainEqual(
        expect.objectContaining({
          name: "credentials",
          secret: expect.objectContaining({ secretName: "grafana-credentials" }),
        }),
      );
      // The secret's value is nowhere but in the Secret.
      const secretValue = (credentials.stringData as Json)["sso-client-secret"] as string;
      expect(secretValue).toBe(SSO_SENTINEL);
      const elsewhere = objects.filter((o) => o !== credentials && JSON.stringify(o).includes(secretValue));
      expect(elsewhere).toEqual([]);
    },
  );

  test.each([
    ["kind", "http://localhost:30006/login/generic_oauth"],
    ["prod", "https://grafana.tiketi.example.com/login/generic_oauth"],
  ] as const)(
    "%s: the redirect URI to register with the identity provider is a stack output",
    async (stack, uri) => {
      expect((await both)[stack].outputs.grafanaOAuthRedirectUrl).toBe(uri);
    },
  );

  test("without grafana.sso: no auth provider, no redirect URI, and the login form stays", async () => {
    expect((await rendered("kind")).outputs).not.toHaveProperty("grafanaOAuthRedirectUrl");
    const env = envOf((await rendered("kind")).objects);
    expect(
      Object.keys(env).filter((k) => k.startsWith("GF_AUTH_") && k !== "GF_AUTH_ANONYMOUS_ENABLED"),
    ).toEqual([]);
    expect(env.GF_SERVER_ROOT_URL).toBe("http://localhost:30006");
  });

  const grafanaEgress = (objects: readonly KubeObject[]): Json[] =>
    (objectNamed(objects, "NetworkPolicy", "grafana").spec as Json).egress as Json[];
  const outsideOn443 = (rules: Json[]) =>
    rules.filter(
      (r) =>
        (r.to as Json[]).some((peer) => peer.ipBlock?.cidr === "0.0.0.0/0") &&
        (r.ports as Json[]).some((p) => p.port === 443),
    );

  test.each(["kind", "prod"] as const)(
    "%s: Grafana's egress opens HTTPS outside the cluster for the identity provider",
    async (stack) => {
      const { objects } = (await both)[stack];
      expect(outsideOn443(grafanaEgress(objects))).toHaveLength(1);
    },
  );

  test.each(["kind", "prod"] as const)(
    "%s without SSO: Grafana reaches nothing outside on 443",
    async (stack) => {
      expect(outsideOn443(grafanaEgress((await rendered(stack)).objects))).toEqual([]);
    },
  );
});

describe("grafana.teams and grafana.folderPermissions", () => {
  const API = {
    provider: "pulumi:providers:grafana",
    team: "grafana:oss/team:Team",
    permission: "grafana:oss/folderPermission:FolderPermission",
  };

  test.each([
    ["kind", "http://localhost:30006"],
    ["prod", "https://grafana.tiketi.example.com"],
  ] as const)(
    "%s: one Grafana provider at %s, logged in as the admin with the generated password",
    async (stack, url) => {
      const { registrations } = (await both)[stack];
      const [provider] = ofType(registrations, API.provider);
      expect(provider.name).toBe("grafana-api");
      expect(provider.inputs.url).toBe(url);
      const password = registrations.find(
        (r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.endsWith("admin-password"),
      );
      expect(password).toBeDefined();
      expect(provider.inputs.auth).toMatch(/^admin:mock-password-grafana-admin-password-/);
      expect(ofType(registrations, API.provider)).toHaveLength(1);
    },
  );

  test.each(["kind", "prod"] as const)(
    "%s: the teams with their members, and the folder's grants: the basic roles' defaults plus each team's",
    async (stack) => {
      const { registrations } = (await both)[stack];
      const [provider] = ofType(registrations, API.provider);
      // Registration order between independent resources is not defined.
      const teams = ofType(registrations, API.team).sort((a, b) => a.name.localeCompare(b.name));
      expect(teams.map((t) => t.inputs)).toEqual([
        {
          name: "payments",
          email: "payments@tiketi.example.com",
          members: ["kim@tiketi.example.com", "lee@tiketi.example.com"],
        },
        { name: "support", members: ["park@tiketi.example.com"] },
      ]);
      expect(teams.map((t) => t.name)).toEqual(["grafana-team-payments", "grafana-team-support"]);
      const permissions = ofType(registrations, API.permission);
      expect(permissions.map((p) => p.name)).toEqual(["grafana-folder-permission-extra-payments"]);
      expect(permissions.map((p) => p.inputs)).toEqual([
        {
          folderUid: "extra-payments",
          permissions: [
            { role: "Viewer", permission: "View" },
            { role: "Editor", permission: "Edit" },
            { teamId: "grafana-team-payments-id", permission: "Edit" },
            { teamId: "grafana-team-support-id", permission: "View" },
          ],
        },
      ]);
      // Through the explicit provider, never a default one, and only once Grafana serves.
      for (const r of [...teams, ...permissions]) {
        expect(r.provider).toMatch(new RegExp(`\\$pulumi:providers:grafana::${provider.name}::`));
        expect(r.dependencies).toEqual(
          expect.arrayContaining([
            expect.stringMatching(
              stack === "kind" ? /StatefulSet::grafana-grafana$/ : /Deployment::grafana-grafana$/,
            ),
            expect.stringMatching(
              stack === "kind" ? /Service::grafana-grafana$/ : /Ingress::grafana-grafana$/,
            ),
          ]),
        );
      }
    },
  );

  test.each(["kind", "prod"] as const)(
    "%s without the keys registers nothing of Grafana's API",
    async (stack) => {
      const { registrations } = await rendered(stack);
      expect(registrations.filter((r) => r.type.startsWith("grafana:") || r.type === API.provider)).toEqual(
        [],
      );
    },
  );
});
