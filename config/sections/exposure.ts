import { z } from "zod";
import type { GivenWhole } from "../argsOf";
import { ALB_INGRESS_CLASS, ALB_MANAGED_ANNOTATIONS } from "../albAnnotations";
import {
  Identity,
  cidr,
  dnsLabel,
  fromCliText,
  httpsUrl,
  named,
  nonEmpty,
  orOutput,
  reportDuplicates,
  secretString,
  strict,
} from "../fields";

const nodePort = fromCliText(
  z
    .number({ invalid_type_error: "must be a NodePort between 30000 and 32767" })
    .int("must be a NodePort between 30000 and 32767")
    .min(30000, "must be a NodePort between 30000 and 32767")
    .max(32767, "must be a NodePort between 30000 and 32767"),
);

const hostName = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/,
    "must be a DNS host name such as grafana.example.com",
  );

const oidcAuth = strict({
  type: z.literal("oidc"),
  issuer: orOutput(httpsUrl),
  authorizationEndpoint: orOutput(httpsUrl),
  tokenEndpoint: orOutput(httpsUrl),
  userInfoEndpoint: orOutput(httpsUrl),
  clientId: orOutput(nonEmpty),
  clientSecret: secretString,
});
/** The ALB authenticates every request with an OIDC identity provider, given whole. */
export interface OidcAuth extends Identity<z.input<typeof oidcAuth>>, GivenWhole {}
const cognitoAuth = strict({
  type: z.literal("cognito"),
  userPoolArn: orOutput(
    z
      .string()
      .regex(
        /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool\/[A-Za-z0-9_-]+$/,
        "must be a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf",
      ),
  ),
  userPoolClientId: orOutput(nonEmpty),
  /** The domain prefix, not the full URL. */
  userPoolDomain: orOutput(dnsLabel),
});
/** The ALB authenticates every request with an Amazon Cognito user pool, given whole. */
export interface CognitoAuth extends Identity<z.input<typeof cognitoAuth>>, GivenWhole {}

/** Who may open an Ingress: the ALB authenticates every request before it reaches the pods. */
const ingressAuth = named<OidcAuth | CognitoAuth>()(z.discriminatedUnion("type", [oidcAuth, cognitoAuth]));

/**
 * The ALB security policies that negotiate TLS 1.2 and later only: their names say the lowest
 * version (TLS13-1-2, TLS13-1-3, TLS-1-2, FS-1-2), then variants (Res, Ext1, FIPS, PQ) and a date.
 * ELBSecurityPolicy-2016-08, the controller's default, and the TLS-1-0, TLS-1-1, TLS13-1-0,
 * TLS13-1-1, FS-1-1 and FS-2018-06 policies also allow TLS 1.0 or 1.1.
 */
export const TLS12_ALB_POLICY =
  /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-[A-Za-z0-9]+)*-20\d{2}-\d{2}$/;
/** AWS's recommended policy: TLS 1.3, and TLS 1.2 for older clients. */
export const DEFAULT_ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const ingress = strict({
  host: hostName.describe("The host Grafana is served on."),
  className: nonEmpty.describe(
    "The IngressClass; `alb` gets the AWS Load Balancer Controller's annotations generated.",
  ),
  annotations: z
    .record(z.string())
    .describe(
      "Anything the program does not set itself; the ALB annotations it generates cannot be overridden.",
    ),
  tlsSecretName: dnsLabel
    .optional()
    .describe("For controllers that terminate TLS with a Secret (nginx); refused with className alb."),
  certificateArn: orOutput(
    z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+$/,
        "must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>",
      ),
  )
    .optional()
    .describe("className alb: the ACM certificate the ALB terminates TLS with (required there)."),
  scheme: z
    .enum(["internal", "internet-facing"])
    .default("internal")
    .describe("className alb: internal needs no public subnets and exposes nothing to the internet."),
  sslPolicy: z
    .string()
    .regex(
      TLS12_ALB_POLICY,
      `must be an ALB security policy that allows TLS 1.2 and later only, such as ${DEFAULT_ALB_SSL_POLICY} (TLS13-1-2, TLS13-1-3, TLS-1-2 or FS-1-2 in its name); ELBSecurityPolicy-2016-08 and the TLS-1-0, TLS-1-1, TLS13-1-0, TLS13-1-1 and FS-1-1 policies also allow TLS 1.0 or 1.1`,
    )
    .default(DEFAULT_ALB_SSL_POLICY)
    .describe(
      "className alb: the HTTPS listener's TLS security policy; only policies without TLS 1.0 and 1.1.",
    ),
  loadBalancerCidrs: z
    .array(cidr)
    .min(1, "must list at least one CIDR")
    .optional()
    .describe(
      "The CIDRs of the subnets the load balancer runs in: the UIs behind the Ingress admit their port from these only (target type ip: the ALB connects from its addresses there). Unset, they admit any address, and the preview warns on className alb.",
    ),
  prometheus: strict({ host: hostName })
    .optional()
    .describe("Prometheus behind the same kind of Ingress, on its own host; on eks only with auth."),
  alertmanager: strict({ host: hostName })
    .optional()
    .describe("Alertmanager behind the same kind of Ingress, on its own host; on eks only with auth."),
  kiali: strict({ host: hostName })
    .optional()
    .describe(
      "Kiali (mesh.istio.kiali) behind the same kind of Ingress, on its own host; on eks only with auth.",
    ),
  auth: ingressAuth
    .optional()
    .describe("Who may open the Ingress: the ALB authenticates every request (oidc or cognito)."),
});

/**
 * What an Ingress config cannot mean: the ALB ignores a TLS Secret and serves no HTTPS without an
 * ACM certificate; ALB authentication exists only on an ALB; the generated annotations are not
 * silently replaced by hand-written ones.
 */
function ingressProblems(value: z.output<typeof ingress>): [(string | number)[], string][] {
  const alb = value.className === ALB_INGRESS_CLASS;
  const problems: [(string | number)[], string][] = [];
  if (alb && value.tlsSecretName !== undefined) {
    problems.push([
      ["tlsSecretName"],
      "is ignored by the AWS Load Balancer Controller (className alb): remove it and set exposure.ingress.certificateArn to an ACM certificate",
    ]);
  }
  if (alb && value.certificateArn === undefined) {
    problems.push([
      ["certificateArn"],
      "is required with className alb: the ALB serves HTTPS only with an ACM certificate, and Grafana's cookies are secure-only",
    ]);
  }
  if (!alb && value.certificateArn !== undefined) {
    problems.push([
      ["certificateArn"],
      `applies only with className alb; for ${value.className} use tlsSecretName`,
    ]);
  }
  if (!alb && value.auth !== undefined) {
    // On the type, not the whole object: an error echoes its value, and the object holds the client secret.
    problems.push([
      ["auth", "type"],
      "needs className alb: the authentication is the ALB's (oidc or cognito)",
    ]);
  }
  if (alb) {
    for (const name of Object.keys(value.annotations)) {
      const key = ALB_MANAGED_ANNOTATIONS[name];
      if (key !== undefined) {
        problems.push([
          ["annotations", name],
          `is set by the program from ${key}; remove it from annotations`,
        ]);
      }
    }
  }
  return problems;
}

const exposureSectionSchema = strict({
  mode: z
    .enum(["nodePort", "ingress"])
    .describe("nodePort (kind, mapped to 127.0.0.1 by kind/cluster.yaml) or ingress (required on eks)."),
  nodePorts: strict({
    grafana: nodePort,
    prometheus: nodePort,
    zipkin: nodePort,
    otlpHttp: nodePort,
    kiali: nodePort,
  }).describe(
    "The NodePorts of Grafana, Prometheus, the Zipkin and OTLP/HTTP ingest, and Kiali (with mesh.istio); distinct.",
  ),
  podCidrs: z
    .array(cidr)
    .describe(
      "The cluster's pod address ranges (kind: its podSubnet, 10.244.0.0/16, which kind/cluster.yaml sets). With mode nodePort, the NodePorts admit any address but these: kindnet matches a NetworkPolicy's addresses against pods' too, so without them any pod would reach the UIs and the ingest ports past the flows that say which pods may. Only with mode nodePort.",
    ),
  ingress: ingress.optional().describe("The Ingress in front of Grafana; required with mode ingress."),
})
  .superRefine((value, ctx) => {
    if (value.mode === "ingress" && value.ingress === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["ingress"],
        message: "is required when exposure.mode is ingress (host, className, annotations)",
      });
    }
    reportDuplicates(
      Object.entries(value.nodePorts).map(([key, port]) => [key, String(port)] as const),
      ["nodePorts"],
      ctx,
    );
    if (value.mode !== "nodePort" && value.podCidrs.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["podCidrs"],
        message: `applies only with exposure.mode nodePort; with ${value.mode} no NodePort admits anyone`,
      });
    }
    if (value.ingress !== undefined) {
      ingressProblems(value.ingress).forEach(([path, message]) =>
        ctx.addIssue({ code: "custom", path: ["ingress", ...path], message }),
      );
      // Each UI has its own host: one host cannot route to two backends.
      reportDuplicates(
        [
          ["host", value.ingress.host] as const,
          ...(["prometheus", "alertmanager", "kiali"] as const).flatMap((ui) => {
            const host = value.ingress?.[ui]?.host;
            return host === undefined ? [] : [[ui, host] as const];
          }),
        ],
        ["ingress"],
        ctx,
      );
    }
  })
  .describe("How people reach the UIs and apps reach the ingest ports.");

/** The schema of the `exposure` section, by name (see Identity). */
export interface ExposureSectionSchema extends Identity<typeof exposureSectionSchema> {}
export const exposureSection: ExposureSectionSchema = exposureSectionSchema;
