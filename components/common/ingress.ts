import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { ALB_ANNOTATION, ALB_INGRESS_CLASS } from "../../config/albAnnotations";
import { WorkloadIdentity } from "./labels";
import { objectMeta } from "./metadata";
import { toJsonInput } from "./yaml";

export type IngressConfig = NonNullable<StackConfig["exposure"]["ingress"]>;
type IngressAuth = NonNullable<IngressConfig["auth"]>;

/** The Secret the ALB reads an OIDC client from; the controller wants the keys `clientID` and `clientSecret`. */
export const OIDC_CLIENT_SECRET = "alb-oidc-client";

/** One UI behind an Ingress: its host, its Service and the endpoint that says it is up. */
interface IngressBackend {
  readonly host: string;
  readonly serviceName: pulumi.Input<string>;
  /** The Service port's name. */
  readonly port: string;
  /** Answers 200 without a login, so the ALB's health check sees the pod and not the auth. */
  readonly healthCheckPath: string;
  /** The ALB authenticates every request first (exposure.ingress.auth). */
  readonly authenticated: boolean;
  /**
   * The Secret beside the Ingress the ALB reads an OIDC client from: one per component that
   * exposes a UI, so that none depends on another's. @default OIDC_CLIENT_SECRET
   */
  readonly oidcClientSecret?: string;
}

function authAnnotations(auth: IngressAuth, oidcClientSecret: string): Record<string, pulumi.Input<string>> {
  return {
    [ALB_ANNOTATION.authType]: auth.type,
    ...(auth.type === "oidc"
      ? {
          [ALB_ANNOTATION.authIdpOidc]: toJsonInput({
            issuer: auth.issuer,
            authorizationEndpoint: auth.authorizationEndpoint,
            tokenEndpoint: auth.tokenEndpoint,
            userInfoEndpoint: auth.userInfoEndpoint,
            secretName: oidcClientSecret,
          }),
        }
      : {
          [ALB_ANNOTATION.authIdpCognito]: toJsonInput({
            userPoolARN: auth.userPoolArn,
            userPoolClientID: auth.userPoolClientId,
            userPoolDomain: auth.userPoolDomain,
          }),
        }),
    [ALB_ANNOTATION.authOnUnauthenticatedRequest]: "authenticate",
  };
}

/**
 * What the AWS Load Balancer Controller needs to put a working ALB in front of a UI: target type
 * ip (straight to the pods, which the wiring graph admits), the health endpoint, HTTPS with the
 * ACM certificate and a TLS 1.2+ policy and HTTP redirected to it, the scheme, and authentication
 * where asked. The user's annotations come first: the schema refuses any that would be overridden
 * here.
 */
export function ingressAnnotations(
  ingress: IngressConfig,
  backend: IngressBackend,
): Record<string, pulumi.Input<string>> {
  if (ingress.className !== ALB_INGRESS_CLASS) {
    return { ...ingress.annotations };
  }
  const auth = backend.authenticated ? ingress.auth : undefined;
  return {
    ...ingress.annotations,
    [ALB_ANNOTATION.scheme]: ingress.scheme,
    [ALB_ANNOTATION.targetType]: "ip",
    [ALB_ANNOTATION.healthcheckPath]: backend.healthCheckPath,
    [ALB_ANNOTATION.successCodes]: "200",
    ...(ingress.certificateArn === undefined
      ? {}
      : {
          [ALB_ANNOTATION.certificateArn]: ingress.certificateArn,
          [ALB_ANNOTATION.sslPolicy]: ingress.sslPolicy,
          [ALB_ANNOTATION.listenPorts]: JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
          [ALB_ANNOTATION.sslRedirect]: "443",
        }),
    ...(auth === undefined ? {} : authAnnotations(auth, backend.oidcClientSecret ?? OIDC_CLIENT_SECRET)),
  };
}

/**
 * The Secret beside an Ingress the ALB reads its OIDC client from, as `secretName` (the controller
 * wants the keys `clientID` and `clientSecret`); none unless `auth` is OIDC. Returns what the
 * Ingress must wait for.
 */
export function deployOidcClientSecret(
  name: string,
  secretName: string,
  component: string,
  namespace: string,
  auth: IngressConfig["auth"],
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret[] {
  return auth?.type === "oidc"
    ? [
        new k8s.core.v1.Secret(
          `${name}-${secretName}`,
          {
            metadata: objectMeta({ name: secretName, component }, namespace),
            stringData: { clientID: auth.clientId, clientSecret: auth.clientSecret },
          },
          opts,
        ),
      ]
    : [];
}

/** An Ingress routing every path of `backend.host` to its Service. */
export function deployIngress(
  name: string,
  id: WorkloadIdentity,
  namespace: string,
  ingress: IngressConfig,
  backend: IngressBackend,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
  if (ingress.className === ALB_INGRESS_CLASS && ingress.loadBalancerCidrs === undefined) {
    void pulumi.log.warn(
      `exposure.ingress.loadBalancerCidrs is unset: ${backend.host}'s pods admit their port from any address, so a host of the VPC reaches them past the load balancer's TLS; set it to the CIDRs of the subnets the ALB runs in`,
    );
  }
  // Only for controllers that read spec.tls (nginx): the schema refuses tlsSecretName on an ALB.
  const tls =
    ingress.tlsSecretName === undefined
      ? {}
      : { tls: [{ hosts: [backend.host], secretName: ingress.tlsSecretName }] };
  return new k8s.networking.v1.Ingress(
    name,
    {
      metadata: { ...objectMeta(id, namespace), annotations: ingressAnnotations(ingress, backend) },
      spec: {
        ingressClassName: ingress.className,
        ...tls,
        rules: [
          {
            host: backend.host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: backend.serviceName, port: { name: backend.port } } },
                },
              ],
            },
          },
        ],
      },
    },
    opts,
  );
}
