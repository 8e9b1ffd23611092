// prod as a team exposes it: Prometheus and Alertmanager behind the ALB with OIDC, a WAF
// annotation of its own, remote write to Amazon Managed Prometheus and replica 1 as the queried one.
import { RenderedStack, PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { Json } from "../kit/json";

export const WAF =
  "arn:aws:wafv2:ap-northeast-2:111111111111:regional/webacl/tiketi/0b5e1c2d-3f4a-4b5c-8d9e-0f1a2b3c4d5e";
export const OIDC = {
  type: "oidc",
  issuer: "https://login.example.com",
  authorizationEndpoint: "https://login.example.com/oauth2/v1/authorize",
  tokenEndpoint: "https://login.example.com/oauth2/v1/token",
  userInfoEndpoint: "https://login.example.com/oauth2/v1/userinfo",
  clientId: "0oa1b2c3d4e5f6g7h8i9",
  clientSecret: "sentinel-oidc-client-secret",
};
export const WORKSPACE =
  "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-3f1e2d4c-5b6a-4789-9abc-def012345678";
export const REMOTE_WRITE = {
  url: `${WORKSPACE}/api/v1/remote_write`,
  region: "ap-northeast-2",
  roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-amp-writer",
  queryRoleArn: "arn:aws:iam::111111111111:role/tiketi-prod-grafana-amp",
};

/** prod with Prometheus and Alertmanager behind the ALB, AMP remote write, and replica 1 as the queried one. */
export function exposedConfig(): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const exposure = JSON.parse(config["observability:exposure"]) as Json;
  exposure.ingress = {
    ...exposure.ingress,
    annotations: { "alb.ingress.kubernetes.io/wafv2-acl-arn": WAF },
    prometheus: { host: "prometheus.tiketi.example.com" },
    alertmanager: { host: "alertmanager.tiketi.example.com" },
    auth: OIDC,
  };
  return {
    config: {
      ...config,
      "observability:exposure": JSON.stringify(exposure),
      "observability:metrics": JSON.stringify({ remoteWrite: REMOTE_WRITE }),
    },
    secretKeys: [...secretKeys, "observability:exposure"],
  };
}
let exposed: Promise<RenderedStack> | undefined;
export function renderExposed(): Promise<RenderedStack> {
  const { config, secretKeys } = exposedConfig();
  exposed ??= renderWithConfig("prod-exposed-amp", config, secretKeys);
  return exposed;
}
