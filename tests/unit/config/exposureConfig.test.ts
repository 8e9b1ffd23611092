// Bad exposure and query-path config (ALB Ingress, authentication, the queried replica, AMP): each
// problem names its key, and nothing is registered.
import main = require("../../../index");
import { ConfigError } from "../../../config";
import { parsePulumiConfig } from "../../../config/load";
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { configSetPath } from "../../kit/userEdits";
import { OIDC } from "../../support/exposedProd";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";
import { stackFileProblems } from "../../support/configProblems";

const CERTIFICATE =
  "arn:aws:acm:ap-northeast-2:111111111111:certificate/0b5e1c2d-3f4a-4b5c-8d9e-0f1a2b3c4d5e";
const AMP_WRITE =
  "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-3f1e2d4c-5b6a-4789-9abc-def012345678/api/v1/remote_write";

/** The prod stack file as Pulumi hands it to the program, with `edit` applied to one top-level key. */
function prodWith(
  key: string,
  edit: (value: Json) => Json,
): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const full = `observability:${key}`;
  const current = config[full] === undefined ? {} : (JSON.parse(config[full]) as Json);
  return { config: { ...config, [full]: JSON.stringify(edit(current)) }, secretKeys };
}

const ingress = (changes: Json) =>
  prodWith("exposure", (exposure) => ({ ...exposure, ingress: { ...exposure.ingress, ...changes } }));
/** With `exposure` among the encrypted keys, as `pulumi config set --secret --path` leaves it. */
const secretIngress = (changes: Json) => {
  const stack = ingress(changes);
  return { ...stack, secretKeys: [...stack.secretKeys, "observability:exposure"] };
};

describe("exposure.ingress on an ALB", () => {
  test.each<[string, { config: Record<string, string>; secretKeys: readonly string[] }, string]>([
    [
      "a TLS Secret, which the ALB ignores",
      ingress({ tlsSecretName: "grafana-tls" }),
      "observability:exposure.ingress.tlsSecretName is ignored by the AWS Load Balancer Controller (className alb): remove it and set exposure.ingress.certificateArn",
    ],
    [
      "no certificate",
      ingress({ certificateArn: undefined }),
      "observability:exposure.ingress.certificateArn is required with className alb",
    ],
    [
      "a certificate that is not an ACM ARN",
      ingress({ certificateArn: "grafana-tls" }),
      'observability:exposure.ingress.certificateArn must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id> (got "grafana-tls")',
    ],
    [
      "a certificate of the wrong type",
      ingress({ certificateArn: 443 }),
      "observability:exposure.ingress.certificateArn",
    ],
    [
      "a scheme the ALB does not have",
      ingress({ scheme: "public" }),
      'observability:exposure.ingress.scheme must be one of "internal", "internet-facing" (got "public")',
    ],
    [
      "a TLS policy that still allows TLS 1.0 and 1.1 (the controller's default)",
      ingress({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
      'observability:exposure.ingress.sslPolicy must be an ALB security policy that allows TLS 1.2 and later only, such as ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS13-1-2, TLS13-1-3, TLS-1-2 or FS-1-2 in its name); ELBSecurityPolicy-2016-08 and the TLS-1-0, TLS-1-1, TLS13-1-0, TLS13-1-1 and FS-1-1 policies also allow TLS 1.0 or 1.1 (got "ELBSecurityPolicy-2016-08")',
    ],
    [
      "a TLS 1.3 policy that still allows TLS 1.0",
      ingress({ sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }),
      "observability:exposure.ingress.sslPolicy must be an ALB security policy that allows TLS 1.2 and later only",
    ],
    [
      "a hand-written TLS policy annotation",
      ingress({ annotations: { "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08" } }),
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/ssl-policy is set by the program from exposure.ingress.sslPolicy; remove it from annotations",
    ],
    [
      "a load balancer subnet that is not a CIDR",
      ingress({ loadBalancerCidrs: ["10.0.0.0"] }),
      'observability:exposure.ingress.loadBalancerCidrs[0] must be a CIDR such as 10.0.0.0/16 (got "10.0.0.0")',
    ],
    [
      "a load balancer subnet with host bits set",
      ingress({ loadBalancerCidrs: ["10.0.1.0/16"] }),
      "observability:exposure.ingress.loadBalancerCidrs[0] must be a CIDR such as 10.0.0.0/16 with no address bit set past the prefix (/16)",
    ],
    [
      "an IPv4 prefix longer than 32",
      ingress({ loadBalancerCidrs: ["10.0.0.0/33"] }),
      "observability:exposure.ingress.loadBalancerCidrs[0] must be a CIDR such as 10.0.0.0/16: an IPv4 prefix is at most /32",
    ],
    [
      "no load balancer subnet",
      ingress({ loadBalancerCidrs: [] }),
      "observability:exposure.ingress.loadBalancerCidrs must list at least one CIDR",
    ],
    [
      "a hand-written annotation the program sets",
      ingress({ annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } }),
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/scheme is set by the program from exposure.ingress.scheme; remove it from annotations",
    ],
    [
      "a hand-written certificate annotation",
      ingress({ annotations: { "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE } }),
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/certificate-arn is set by the program from exposure.ingress.certificateArn",
    ],
    [
      "Prometheus exposed without authentication",
      ingress({ prometheus: { host: "prometheus.tiketi.example.com" } }),
      "observability:exposure.ingress.prometheus needs exposure.ingress.auth on profile eks",
    ],
    [
      "Alertmanager exposed without authentication",
      ingress({ alertmanager: { host: "alertmanager.tiketi.example.com" } }),
      "observability:exposure.ingress.alertmanager needs exposure.ingress.auth on profile eks",
    ],
    [
      "Prometheus on Grafana's host",
      secretIngress({ prometheus: { host: "grafana.tiketi.example.com" }, auth: OIDC }),
      "observability:exposure.ingress.prometheus must be unique: grafana.tiketi.example.com appears more than once",
    ],
    [
      "an OIDC client without its secret",
      ingress({
        prometheus: { host: "prometheus.tiketi.example.com" },
        auth: { ...OIDC, clientSecret: undefined },
      }),
      "observability:exposure.ingress.auth.clientSecret is required",
    ],
    [
      "the OIDC client secret in plain text",
      ingress({ prometheus: { host: "prometheus.tiketi.example.com" }, auth: OIDC }),
      "observability:exposure.ingress.auth.clientSecret holds a credential and must be set with `pulumi config set --secret --path 'observability:exposure.ingress.auth.clientSecret' <value>`",
    ],
    [
      "an authentication type the ALB does not have",
      secretIngress({
        prometheus: { host: "prometheus.tiketi.example.com" },
        auth: { ...OIDC, type: "saml" },
      }),
      "observability:exposure.ingress.auth.type",
    ],
    [
      "an OIDC endpoint over http",
      secretIngress({
        prometheus: { host: "prometheus.tiketi.example.com" },
        auth: { ...OIDC, tokenEndpoint: "http://login.example.com/token" },
      }),
      "observability:exposure.ingress.auth.tokenEndpoint must be an https:// URL",
    ],
    [
      "a Cognito pool that is not an ARN",
      ingress({
        prometheus: { host: "prometheus.tiketi.example.com" },
        auth: {
          type: "cognito",
          userPoolArn: "eu-west-1_AbCdEf",
          userPoolClientId: "abc",
          userPoolDomain: "tiketi",
        },
      }),
      "observability:exposure.ingress.auth.userPoolArn must be a Cognito user pool ARN",
    ],
  ])("%s", (_, stack, expected) => {
    expect(stackFileProblems(stack)).toContainEqual(expect.stringContaining(expected));
  });

  test("nginx keeps its TLS Secret, and refuses what only an ALB does", () => {
    const nginx = { className: "nginx", tlsSecretName: "grafana-tls", certificateArn: undefined };
    expect(() => parsePulumiConfig(ingress(nginx).config, ingress(nginx).secretKeys)).not.toThrow();
    expect(stackFileProblems(ingress({ ...nginx, certificateArn: CERTIFICATE }))).toEqual([
      `observability:exposure.ingress.certificateArn applies only with className alb; for nginx use tlsSecretName (got "${CERTIFICATE}")`,
    ]);
    expect(stackFileProblems(secretIngress({ ...nginx, auth: OIDC }))).toEqual([
      'observability:exposure.ingress.auth.type needs className alb: the authentication is the ALB\'s (oidc or cognito) (got "oidc")',
    ]);
  });
});

describe("the query path and Amazon Managed Prometheus", () => {
  const metrics = (changes: Json) => prodWith("metrics", (m) => ({ ...m, ...changes }));
  const remoteWrite = {
    url: AMP_WRITE,
    region: "ap-northeast-2",
    roleArn: "arn:aws:iam::111111111111:role/amp-writer",
  };

  test.each<[string, { config: Record<string, string>; secretKeys: readonly string[] }, string]>([
    [
      "the queried replica of 0.3.0, which Thanos Query replaced",
      metrics({ queryReplica: 1 }),
      "observability:metrics.queryReplica is not a known key",
    ],
    [
      "remote write without Grafana's query role",
      metrics({ remoteWrite }),
      "observability:metrics.remoteWrite.queryRoleArn is required",
    ],
    [
      "a query role that is not a role ARN",
      metrics({ remoteWrite: { ...remoteWrite, queryRoleArn: "grafana" } }),
      'observability:metrics.remoteWrite.queryRoleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/name (got "grafana")',
    ],
    [
      "a remote-write URL that is not an AMP workspace's",
      metrics({
        remoteWrite: {
          ...remoteWrite,
          url: "https://metrics.example.com/api/v1/write",
          queryRoleArn: "arn:aws:iam::111111111111:role/grafana-amp",
        },
      }),
      "observability:metrics.remoteWrite.url must be an Amazon Managed Prometheus remote-write endpoint",
    ],
  ])("%s", (_, stack, expected) => {
    expect(stackFileProblems(stack)).toContainEqual(expect.stringContaining(expected));
  });

  test("metrics.queryReplica, as the CLI stores it, says how to migrate", () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    expect(
      stackFileProblems({ config: configSetPath(config, "metrics.queryReplica", "1"), secretKeys }),
    ).toEqual([
      expect.stringMatching(
        /^observability:metrics\.queryReplica is not a known key.*changed in 0\.4\.0: queries no longer go to one replica/,
      ),
    ]);
  });
});

test("a bad exposure registers nothing: the program stops before the provider or any namespace", async () => {
  const { config } = ingress({
    tlsSecretName: "grafana-tls",
    prometheus: { host: "prometheus.tiketi.example.com" },
  });
  const mocks = await recordDeployment("prod-bad-exposure", config);
  const run = main();
  await expect(run).rejects.toThrow(ConfigError);
  await expect(run).rejects.toThrow("observability:exposure.ingress.tlsSecretName");
  await expect(run).rejects.toThrow("observability:exposure.ingress.prometheus");
  await sleep(50);
  expect(mocks.registrations).toEqual([]);
});

test("the OIDC client secret is a Pulumi secret from the moment it is read", async () => {
  const stack = secretIngress({ prometheus: { host: "prometheus.tiketi.example.com" }, auth: OIDC });
  const auth = parsePulumiConfig(stack.config, stack.secretKeys).exposure.ingress?.auth;
  expect(auth?.type).toBe("oidc");
  expect(await (auth?.type === "oidc" ? (auth.clientSecret as any).isSecret : undefined)).toBe(true);
});

test("no error echoes the OIDC client secret", () => {
  const problems = [
    ingress({ className: "nginx", certificateArn: undefined, auth: OIDC }),
    ingress({ prometheus: { host: "prometheus.tiketi.example.com" }, auth: { ...OIDC, type: "saml" } }),
    ingress({ prometheus: { host: "grafana.tiketi.example.com" }, auth: { ...OIDC, issuer: "login" } }),
  ].flatMap(stackFileProblems);
  expect(problems.length).toBeGreaterThan(3);
  expect(problems.join("\n")).not.toContain(OIDC.clientSecret);
});
