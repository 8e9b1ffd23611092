/** The IngressClass of the AWS Load Balancer Controller. */
export const ALB_INGRESS_CLASS = "alb";

const PREFIX = "alb.ingress.kubernetes.io";

/** The AWS Load Balancer Controller annotations the program sets on its Ingresses. */
export const ALB_ANNOTATION = {
  scheme: `${PREFIX}/scheme`,
  targetType: `${PREFIX}/target-type`,
  listenPorts: `${PREFIX}/listen-ports`,
  sslRedirect: `${PREFIX}/ssl-redirect`,
  certificateArn: `${PREFIX}/certificate-arn`,
  sslPolicy: `${PREFIX}/ssl-policy`,
  healthcheckPath: `${PREFIX}/healthcheck-path`,
  successCodes: `${PREFIX}/success-codes`,
  authType: `${PREFIX}/auth-type`,
  authIdpOidc: `${PREFIX}/auth-idp-oidc`,
  authIdpCognito: `${PREFIX}/auth-idp-cognito`,
  authOnUnauthenticatedRequest: `${PREFIX}/auth-on-unauthenticated-request`,
} as const;

/**
 * Each generated annotation and the config key (or fact) it comes from: an annotation in
 * `exposure.ingress.annotations` may not contradict them, so the config error names the key to use.
 */
export const ALB_MANAGED_ANNOTATIONS: Readonly<Record<string, string>> = {
  [ALB_ANNOTATION.scheme]: "exposure.ingress.scheme",
  [ALB_ANNOTATION.targetType]:
    "the wiring graph (target type ip: its NetworkPolicies admit the ALB to the pods)",
  [ALB_ANNOTATION.listenPorts]: "exposure.ingress.certificateArn (HTTPS on 443, HTTP 80 redirects)",
  [ALB_ANNOTATION.sslRedirect]: "exposure.ingress.certificateArn (HTTPS on 443, HTTP 80 redirects)",
  [ALB_ANNOTATION.certificateArn]: "exposure.ingress.certificateArn",
  [ALB_ANNOTATION.sslPolicy]: "exposure.ingress.sslPolicy",
  [ALB_ANNOTATION.healthcheckPath]:
    "each UI's health endpoint (Grafana /api/health, Prometheus and Alertmanager /-/healthy)",
  [ALB_ANNOTATION.successCodes]:
    "each UI's health endpoint (Grafana /api/health, Prometheus and Alertmanager /-/healthy)",
  [ALB_ANNOTATION.authType]: "exposure.ingress.auth",
  [ALB_ANNOTATION.authIdpOidc]: "exposure.ingress.auth",
  [ALB_ANNOTATION.authIdpCognito]: "exposure.ingress.auth",
  [ALB_ANNOTATION.authOnUnauthenticatedRequest]: "exposure.ingress.auth",
};
