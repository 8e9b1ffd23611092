// The config checks regexes and rule expressions with the servers' grammars (config/promql/re2.ts,
// config/promql/queryGrammar.ts); this holds them to the real servers. Every regex and expression the
// config accepts, over the bad-input suite's good edits, the committed stack files and the extended
// example stack, is accepted by the real Prometheus (promtool), Alertmanager (amtool), Loki's
// ruler's checks (checks/lokiRules.ts) and Loki's log pipeline as Alloy builds it, and Alloy: no
// false acceptance. Every one the suite's mistakes are refused for is
// refused by that server too: no false rejection.
import { parser as logqlParser } from "@grafana/lezer-logql";
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { StackConfig } from "../../config";
import { parsePulumiConfig } from "../../config/load";
import { renderAlloy } from "../../components/common/alloySyntax";
import { lokiRuleFiles } from "../../components/logs/lokiRules";
import { ruleFiles } from "../../components/metrics/ruleFiles";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { STACKS } from "../kit/stacks";
import { BAD_MUTATIONS, GOOD_MUTATIONS, Grammar, removeTeamFiles } from "../support/configMutations";
import { extendedConfig } from "../support/extendedStack";
import { Servers, freePort } from "../kit/processes";
import { tools } from "../kit/tools";
import { lokiRuleFileProblems } from "../../checks/lokiRules";

const run = promisify(execFile);

/** Every config the check accepts here: the good edits, the committed stacks, the extended stack. */
function acceptedConfigs(): StackConfig[] {
  const committed = STACKS.map((stack) => readStackFile(stack, PROJECT_ROOT));
  return [
    ...GOOD_MUTATIONS.map((m) => {
      const { config, secretKeys } = readStackFile(m.stack, PROJECT_ROOT);
      return parsePulumiConfig(m.edit(config), [...secretKeys, ...(m.secretKeys ?? [])]);
    }),
    ...committed.map(({ config, secretKeys }) => parsePulumiConfig(config, secretKeys)),
    ...STACKS.map((stack) => {
      const { config, secretKeys } = extendedConfig(stack);
      return parsePulumiConfig(config, secretKeys);
    }),
  ];
}

type Texts = Record<Grammar, string[]>;
type RuleFiles = Record<"PromQL" | "LogQL", Record<string, unknown>[]>;

/** What the accepted configs hand the servers: regexes by where they go, and whole rule files. */
function accepted(): { texts: Texts; rules: RuleFiles } {
  const texts: Texts = { relabel: [], drop: [], matcher: [], PromQL: [], LogQL: [] };
  const rules: RuleFiles = { PromQL: [], LogQL: [] };
  for (const config of acceptedConfigs()) {
    for (const job of config.metrics.extraScrapeConfigs) {
      for (const rule of [...(job.relabel_configs ?? []), ...(job.metric_relabel_configs ?? [])]) {
        if (rule.regex !== undefined) {
          texts.relabel.push(rule.regex);
        }
      }
    }
    texts.drop.push(...config.logs.dropPatterns);
    texts.matcher.push(...config.alerting.routes.flatMap((route) => route.matchers));
    rules.PromQL.push(...Object.values(ruleFiles(config)).map((file) => ({ groups: file.groups })));
    rules.LogQL.push(
      ...Object.values(lokiRuleFiles({ ...config, runbookBaseUrl: config.metrics.runbookBaseUrl })).map(
        (file) => ({
          groups: file.groups,
        }),
      ),
    );
  }
  for (const [grammar, files] of Object.entries(rules) as ["PromQL" | "LogQL", Record<string, unknown>[]][]) {
    texts[grammar] = files.flatMap((file) =>
      (file.groups as { rules: { expr: string }[] }[]).flatMap((group) =>
        group.rules.map((rule) => rule.expr),
      ),
    );
  }
  const unique = (list: readonly string[]) => [...new Set(list)];
  return {
    texts: Object.fromEntries(Object.entries(texts).map(([g, list]) => [g, unique(list)])) as Texts,
    rules,
  };
}

const refused = (grammar: Grammar): string[] =>
  BAD_MUTATIONS.flatMap((m) => (m.refused?.grammar === grammar ? [m.refused.text] : []));

let dir: string;
let counter = 0;
const write = (name: string, text: string): string => {
  const file = path.join(dir, `${counter++}-${name}`);
  fs.writeFileSync(file, text);
  return file;
};

/** "accepted" on exit status 0, or "refused: " and what the tool printed. */
async function verdict(binary: string, args: readonly string[]): Promise<string> {
  try {
    await run(binary, [...args], { timeout: 60000 });
    return "accepted";
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `refused: ${(stdout ?? "") + (stderr ?? "")}`.trim();
  }
}

/** `alloy run` of one config file, listening on `port`, its data in the test directory. */
const alloyRun = (file: string, port: number) => [
  "run",
  `--server.http.listen-addr=127.0.0.1:${port}`,
  `--storage.path=${path.join(dir, "alloy-data")}`,
  file,
];

/** Alloy runs `file` until it reports ready, every component built; then it is stopped. */
async function alloyStarts(servers: Servers, file: string): Promise<void> {
  const port = await freePort();
  await servers.start(tools.alloy(), alloyRun(file, port), `http://127.0.0.1:${port}/-/ready`);
  await servers.stopAll();
}

/** What Alloy says of `file` as it starts: "refused: …" when it cannot build a component. */
const alloyVerdict = async (file: string) => verdict(tools.alloy(), alloyRun(file, await freePort()));

const prometheusConfig = (regexes: readonly string[]) =>
  yaml.dump({
    scrape_configs: [
      {
        job_name: "regexes",
        static_configs: [{ targets: ["127.0.0.1:9"] }],
        relabel_configs: regexes.map((regex) => ({ source_labels: ["__address__"], regex, action: "keep" })),
      },
    ],
  });

const alertmanagerConfig = (matchers: readonly string[]) =>
  yaml.dump({
    route: {
      receiver: "null",
      routes: matchers.map((matcher) => ({ matchers: [matcher], receiver: "null" })),
    },
    receivers: [{ name: "null" }],
  });

const ruleFile = (expr: string) =>
  yaml.dump({ groups: [{ name: "refused", rules: [{ alert: "Refused", expr }] }] });

// Alloy's validate command checks the syntax and the arguments but compiles no stage's regex: only
// building the component does, so the drop patterns are run.
const alloyConfig = (patterns: readonly string[]) =>
  renderAlloy([
    {
      name: "loki.process",
      label: "drop",
      attributes: { forward_to: [] },
      blocks: patterns.map((expression) => ({ name: "stage.drop", attributes: { expression } })),
    },
  ]);

/**
 * The log queries inside a LogQL expression (stream selector and pipeline), as Alloy's stage.match
 * takes them: Loki builds the same pipeline, compiling its line filters' regexes, only when a query
 * or a rule runs, so its rule validator passes a line filter Go's regexp refuses.
 */
function logQueries(expr: string): string[] {
  const queries: string[] = [];
  logqlParser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "LogRangeExpr" && node.name !== "LogExpr") {
        return undefined;
      }
      const selector = node.node.getChild("Selector");
      const pipeline = node.node.getChild("PipelineExpr");
      if (selector !== null) {
        queries.push(
          [selector, pipeline]
            .flatMap((part) => (part === null ? [] : [expr.slice(part.from, part.to)]))
            .join(" "),
        );
      }
      return false;
    },
  });
  return queries;
}

const alloyMatchConfig = (queries: readonly string[]) =>
  renderAlloy([
    {
      name: "loki.process",
      label: "match",
      attributes: { forward_to: [] },
      blocks: queries.map((selector) => ({ name: "stage.match", attributes: { selector, action: "drop" } })),
    },
  ]);

describe("the real servers agree with the config on every regex and expression", () => {
  const servers = new Servers();
  let texts: Texts;
  let rules: RuleFiles;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-grammar-"));
    ({ texts, rules } = accepted());
  });

  afterAll(async () => {
    await servers.stopAll();
    removeTeamFiles();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("what is fed covers every grammar, both ways", () => {
    const counts = Object.fromEntries(
      (Object.keys(texts) as Grammar[]).map((g) => [
        g,
        { accepted: texts[g].length, refused: refused(g).length },
      ]),
    );
    process.stdout.write(`fed to the real servers: ${JSON.stringify(counts)}\n`);
    for (const grammar of Object.keys(texts) as Grammar[]) {
      expect({ grammar, accepted: texts[grammar].length > 0, refused: refused(grammar).length > 0 }).toEqual({
        grammar,
        accepted: true,
        refused: true,
      });
    }
  });

  test("Prometheus compiles every relabel regex the config accepts, and refuses each it refuses", async () => {
    const file = write("prometheus.yml", prometheusConfig(texts.relabel));
    expect(await verdict(tools.promtool(), ["check", "config", "--syntax-only", file])).toBe("accepted");
    for (const regex of refused("relabel")) {
      const one = write("prometheus.yml", prometheusConfig([regex]));
      expect({
        regex,
        verdict: await verdict(tools.promtool(), ["check", "config", "--syntax-only", one]),
      }).toEqual({
        regex,
        verdict: expect.stringMatching(/^refused: .*error parsing regexp/s),
      });
    }
  });

  test("promtool accepts every rule file the config accepts, and refuses each expression it refuses", async () => {
    const files = rules.PromQL.map((content) => write("rules.yml", yaml.dump(content)));
    expect(await verdict(tools.promtool(), ["check", "rules", ...files])).toBe("accepted");
    for (const expr of refused("PromQL")) {
      const one = write("rules.yml", ruleFile(expr));
      expect({ expr, verdict: await verdict(tools.promtool(), ["check", "rules", one]) }).toEqual({
        expr,
        verdict: expect.stringMatching(/^refused: .*parse error/s),
      });
    }
  });

  test("Loki's validator and pipeline accept every LogQL rule the config accepts, and refuse each it refuses", async () => {
    const files = rules.LogQL.filter((content) => (content.groups as unknown[]).length > 0).map((content) =>
      write("rules.yml", yaml.dump(content)),
    );
    expect(files.flatMap((file) => lokiRuleFileProblems(file, fs.readFileSync(file, "utf8")))).toEqual([]);
    await alloyStarts(
      servers,
      write("match.alloy", alloyMatchConfig([...new Set(texts.LogQL.flatMap(logQueries))])),
    );
    for (const expr of refused("LogQL")) {
      const ruler = lokiRuleFileProblems("rules.yml", ruleFile(expr));
      const loader = ruler.length === 0 ? "accepted" : `refused: ${ruler.join("; ")}`;
      const pipeline =
        loader === "accepted"
          ? await alloyVerdict(write("match.alloy", alloyMatchConfig(logQueries(expr))))
          : loader;
      expect({ expr, verdict: pipeline }).toEqual({
        expr,
        verdict: expect.stringMatching(/^refused: /),
      });
    }
  });

  test("Alertmanager accepts every route matcher the config accepts, and refuses each it refuses", async () => {
    const file = write("alertmanager.yml", alertmanagerConfig(texts.matcher));
    expect(await verdict(tools.amtool(), ["check-config", file])).toBe("accepted");
    for (const matcher of refused("matcher")) {
      const one = write("alertmanager.yml", alertmanagerConfig([matcher]));
      expect({ matcher, verdict: await verdict(tools.amtool(), ["check-config", one]) }).toEqual({
        matcher,
        verdict: expect.stringMatching(/^refused: .*(error parsing regexp|unsupported Perl syntax)/s),
      });
    }
  });

  test("Alloy builds a drop stage of every pattern the config accepts, and refuses each it refuses", async () => {
    const file = write("drop.alloy", alloyConfig(texts.drop));
    expect(await verdict(tools.alloy(), ["validate", file])).toBe("accepted");
    await alloyStarts(servers, file);
    for (const pattern of refused("drop")) {
      const one = write("drop.alloy", alloyConfig([pattern]));
      expect({ pattern, verdict: await alloyVerdict(one) }).toEqual({
        pattern,
        verdict: expect.stringMatching(/^refused: .*regex compilation error/s),
      });
    }
  });
});
