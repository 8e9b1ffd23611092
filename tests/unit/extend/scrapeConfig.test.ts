// Bad input to metrics.extraScrapeConfigs and metrics.annotationDiscovery: every problem names its
// key, and the program registers nothing.
import { ConfigError } from "../../../config";
import main = require("../../../index");
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { sectionProblems } from "../../support/configProblems";

const billing = {
  job_name: "billing-legacy",
  static_configs: [{ targets: ["billing-exporter.billing.svc:9187"] }],
};
const kafka = {
  job_name: "kafka",
  kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["kafka"] }, ports: [9404] }],
};

/** The problems of a kind stack whose `metrics` block is `metrics`; `secret`: set with --secret. */
const metricsProblems = (metrics: Record<string, unknown>, secret = true) =>
  sectionProblems({ metrics }, secret ? ["metrics"] : []);

const key = "observability:metrics.extraScrapeConfigs";

describe("metrics.extraScrapeConfigs rejects, naming the key", () => {
  test.each([
    [
      "a number for a duration",
      { ...billing, scrape_interval: 30 },
      `${key}[0].scrape_interval must be a string (got 30)`,
    ],
    [
      "a target without a port",
      { ...billing, static_configs: [{ targets: ["billing-exporter.billing.svc"] }] },
      `${key}[0].static_configs[0].targets[0] must be host:port such as orders.shop.svc:8080 (got "billing-exporter.billing.svc")`,
    ],
    [
      "a discovery role Prometheus cannot scope to namespaces",
      { ...kafka, kubernetes_sd_configs: [{ role: "node", namespaces: { names: ["kafka"] } }] },
      `${key}[0].kubernetes_sd_configs[0].role must be one of "pod", "service", "endpointslice" (got "node")`,
    ],
    [
      "cluster-wide discovery (no namespaces)",
      { ...kafka, kubernetes_sd_configs: [{ role: "pod" }] },
      `${key}[0].kubernetes_sd_configs[0].namespaces is required`,
    ],
    [
      "a string for a port list",
      { ...kafka, kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kafka"] }, ports: "9404" }] },
      `${key}[0].kubernetes_sd_configs[0].ports must be an array (got "9404")`,
    ],
    [
      "a relabel action Prometheus does not have",
      { ...billing, relabel_configs: [{ action: "rename" }] },
      `${key}[0].relabel_configs[0].action must be one of "replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep" (got "rename")`,
    ],
    [
      "a misspelt field",
      { ...billing, metric_path: "/metrics" },
      `${key}[0].metric_path is not a known key (did you mean metrics_path?)`,
    ],
    [
      "a job with no targets at all",
      { job_name: "empty" },
      `${key}[0].static_configs or kubernetes_sd_configs must list where the job's targets are`,
    ],
    [
      "a timeout longer than the interval (Prometheus would refuse the whole file)",
      { ...billing, scrape_interval: "30s", scrape_timeout: "1m" },
      `${key}[0].scrape_timeout must not be longer than the job's scrape interval (30s) (got "1m")`,
    ],
    [
      "a timeout longer than the global interval it inherits",
      { ...billing, scrape_timeout: "20s" },
      `${key}[0].scrape_timeout must not be longer than the job's scrape interval (15s) (got "20s")`,
    ],
    [
      "a static label that is no label name",
      {
        ...billing,
        static_configs: [
          { targets: ["billing-exporter.billing.svc:9187"], labels: { "team-name": "billing" } },
        ],
      },
      `${key}[0].static_configs[0].labels.team-name must be a label name`,
    ],
    [
      "basic auth and a bearer token at once",
      {
        ...billing,
        basic_auth: { username: "prometheus", password: "s3cret" },
        authorization: { credentials: "token" },
      },
      `${key}[0].authorization must not be set beside basic_auth`,
    ],
  ])("%s", (_what, job, problem) => {
    const problems = metricsProblems({ extraScrapeConfigs: [job] });
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  test("a discovery namespace or static target in the stack's own namespaces", () => {
    const problems = metricsProblems({
      extraScrapeConfigs: [
        {
          ...kafka,
          kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kafka", "observability"] } }],
        },
        { ...billing, static_configs: [{ targets: ["grafana.observability-node.svc.cluster.local:3000"] }] },
      ],
      annotationDiscovery: { namespaces: ["observability"] },
    });
    const notOurs =
      "must not be one of the stack's own namespaces (observability, observability-node), which the stack scrapes itself";
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${key}[0].kubernetes_sd_configs[0].namespaces.names[1] ${notOurs}`),
        expect.stringContaining(`${key}[1].static_configs[0].targets[0] ${notOurs}`),
        expect.stringContaining(`observability:metrics.annotationDiscovery.namespaces[0] ${notOurs}`),
      ]),
    );
  });

  test("a missing or plaintext credential", () => {
    expect(
      metricsProblems({ extraScrapeConfigs: [{ ...billing, basic_auth: { username: "prometheus" } }] }),
    ).toEqual([`${key}[0].basic_auth.password is required`]);
    expect(
      metricsProblems({ extraScrapeConfigs: [{ ...billing, authorization: { type: "Bearer" } }] }),
    ).toEqual([`${key}[0].authorization.credentials is required`]);
    const plaintext = metricsProblems(
      {
        extraScrapeConfigs: [
          { ...billing, basic_auth: { username: "prometheus", password: "sentinel-plaintext" } },
        ],
      },
      false,
    );
    expect(plaintext).toEqual([
      `${key}[0].basic_auth.password holds a credential and must be set with ` +
        `\`pulumi config set --secret --path '${key}[0].basic_auth.password' <value>\``,
    ]);
    expect(plaintext.join()).not.toContain("sentinel");
  });

  test("a repeated annotation discovery namespace", () => {
    expect(metricsProblems({ annotationDiscovery: { namespaces: ["batch", "batch"] } })).toEqual([
      'observability:metrics.annotationDiscovery.namespaces[1] must be unique: batch appears more than once (got "batch")',
    ]);
  });
});

describe("metrics.prometheusOperatorMonitors rejects, naming the key", () => {
  const monitors = "observability:metrics.prometheusOperatorMonitors";
  test.each([
    [
      "text for a boolean",
      { enabled: "yes", namespaces: ["cert-manager"] },
      `${monitors}.enabled must be true or false (got "yes")`,
    ],
    [
      "enabled with no namespace (it would watch the whole cluster)",
      { enabled: true, namespaces: [] },
      `${monitors}.namespaces must list at least one namespace when enabled (the scraper is never cluster-wide) (got [])`,
    ],
    [
      "one of the stack's own namespaces",
      { enabled: true, namespaces: ["cert-manager", "observability"] },
      `${monitors}.namespaces[1] must not be one of the stack's own namespaces (observability, observability-node), which the stack scrapes itself (got "observability")`,
    ],
    [
      "a namespace that is no DNS label",
      { enabled: true, namespaces: ["Cert_Manager"] },
      `${monitors}.namespaces[0] must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters) (got "Cert_Manager")`,
    ],
  ])("%s", (_what, value, problem) => {
    expect(metricsProblems({ prometheusOperatorMonitors: value })).toEqual([problem]);
  });
});

describe("a job name already taken fails the program before anything is registered", () => {
  async function runProgram(extraScrapeConfigs: unknown[]) {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    const mocks = await recordDeployment(
      "kind-clash",
      { ...config, "observability:metrics": JSON.stringify({ extraScrapeConfigs }) },
      secretKeys,
    );
    const error: unknown = await main().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, registrations: mocks.registrations };
  }

  test.each([
    ["the stack's own Prometheus job", "prometheus"],
    ["another stack's job (Loki)", "loki"],
    ["the annotated pods' job", "annotated-pods"],
  ])("%s", async (_what, name) => {
    const { error, registrations } = await runProgram([billing, { ...billing, job_name: name }]);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `${key}[1].job_name must be unique: ${name} is taken (it is one of the stack's own jobs)`,
    ]);
    expect(registrations).toEqual([]);
  });

  test("two team jobs of one name", async () => {
    const { error, registrations } = await runProgram([billing, kafka, { ...kafka, static_configs: [] }]);
    expect((error as ConfigError).problems).toEqual([
      `${key}[2].job_name must be unique: kafka is taken (${key}[1].job_name has it already)`,
    ]);
    expect(registrations).toEqual([]);
  });
});
