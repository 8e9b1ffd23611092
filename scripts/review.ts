// `npm run review -- --base <git ref> [stack ...] [--format markdown|text] [--accept <subject>] [--out <file>] [--root <dir>]
//   [--history <url> [--days N] [--header "Name: value"]... [--max-series N] [--max-samples N] [--engine thanos|prometheus]]`:
// what the working tree (of this checkout, or of `--root`) does to each running stack against
// `base`, a ref of that checkout's repository: both revisions rendered offline
// with the same mocks as `npm run render` (the working tree as an update of the base's deployment),
// objects matched by identity, and a reviewer's summary per stack. Exits 1 when a stack would be
// refused (config, a protected resource, the policy pack) or puts data at risk that `--accept` does
// not acknowledge by its subject, 2 on bad usage. With `--history`, each stack's review is followed by
// the backtest of its changed alerts and SLO budgets over the last `--days` (14) from that Prometheus
// or Thanos Query (review/history/backtest.ts).
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../render/renderStack";
import { CheckoutError, renderRevision, withCheckout } from "../render/revision";
import { Side, compare } from "../review/compare";
import { Format, formatReview } from "../review/format";
import { Review, passes, stackFileKeys } from "../review/review";
import { backtest } from "../review/history/backtest";
import { historyLines, historyUnread } from "../review/history/historyFormat";
import { ENGINES, Engine, HISTORY_DEFAULTS, HistorySource } from "../review/history/queryHistory";
import { snapshotOf } from "../review/snapshot";
import { toolDirectory } from "../tests/kit/tools";

interface Options {
  readonly base: string;
  readonly stacks: readonly string[];
  readonly format: Format;
  readonly accepted: readonly string[];
  readonly out?: string;
  /** The checkout whose working tree is reviewed. */
  readonly root: string;
  readonly history?: HistorySource;
  readonly days: number;
}

const {
  days: DEFAULT_DAYS,
  maxSeries: DEFAULT_MAX_SERIES,
  maxSamples: DEFAULT_MAX_SAMPLES,
  engine: DEFAULT_ENGINE,
} = HISTORY_DEFAULTS;

const USAGE =
  'usage: npm run review -- --base <git ref> [stack ...] [--format markdown|text] [--accept <subject>]... [--out <file>] [--root <checkout>] [--history <Prometheus or Thanos Query URL> [--days N] [--header "Name: value"]... [--max-series N] [--max-samples N] [--engine thanos|prometheus]]';

/** The stacks with a stack file in the checkout: `Pulumi.<stack>.yaml`. */
const stackFilesIn = (root: string) =>
  fs
    .readdirSync(root)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();

function parse(argv: readonly string[]): Options | string {
  let base: string | undefined;
  let format: Format = "text";
  let out: string | undefined;
  let root = PROJECT_ROOT;
  let historyUrl: string | undefined;
  let days: number = DEFAULT_DAYS;
  let maxSeries: number = DEFAULT_MAX_SERIES;
  let maxSamples: number = DEFAULT_MAX_SAMPLES;
  let engine: Engine = DEFAULT_ENGINE;
  const headers: Record<string, string> = {};
  const stacks: string[] = [];
  const accepted: string[] = [];
  const whole = (option: string, text: string | undefined): number | string => {
    const n = Number(text);
    return Number.isInteger(n) && n > 0 ? n : `${option} must be a whole number above 0, got ${String(text)}`;
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--base":
        base = value;
        i++;
        break;
      case "--format":
        if (value !== "markdown" && value !== "text")
          return `--format must be markdown or text, got ${String(value)}`;
        format = value;
        i++;
        break;
      case "--accept":
        if (value === undefined) return "--accept needs the subject of a risk, as the review names it";
        accepted.push(value);
        i++;
        break;
      case "--out":
        out = value;
        i++;
        break;
      case "--root":
        if (value === undefined) return "--root needs the directory of a checkout";
        root = path.resolve(value);
        i++;
        break;
      case "--history":
        if (value === undefined || !/^https?:\/\//.test(value))
          return `--history needs the http(s) URL of a Prometheus or Thanos Query, got ${String(value)}`;
        historyUrl = value;
        i++;
        break;
      case "--days": {
        const n = whole("--days", value);
        if (typeof n === "string") return n;
        days = n;
        i++;
        break;
      }
      case "--max-series": {
        const n = whole("--max-series", value);
        if (typeof n === "string") return n;
        maxSeries = n;
        i++;
        break;
      }
      case "--max-samples": {
        const n = whole("--max-samples", value);
        if (typeof n === "string") return n;
        maxSamples = n;
        i++;
        break;
      }
      case "--engine":
        if (!ENGINES.includes(value as Engine))
          return `--engine must be ${ENGINES.join(" or ")}, got ${String(value)}`;
        engine = value as Engine;
        i++;
        break;
      case "--header": {
        const found = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(value ?? "");
        if (found === null) return `--header must be "Name: value", got ${String(value)}`;
        headers[found[1]] = found[2];
        i++;
        break;
      }
      default:
        if (argv[i].startsWith("--")) return `unknown option ${argv[i]}`;
        stacks.push(argv[i]);
    }
  }
  if (base === undefined) return "--base is required";
  const historyOnly = [
    days !== DEFAULT_DAYS,
    Object.keys(headers).length > 0,
    maxSeries !== DEFAULT_MAX_SERIES,
    maxSamples !== DEFAULT_MAX_SAMPLES,
    engine !== DEFAULT_ENGINE,
  ];
  if (historyUrl === undefined && historyOnly.some(Boolean))
    return "--days, --header, --max-series, --max-samples and --engine go with --history";
  const missing = stacks.filter((stack) => !fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`)));
  if (missing.length > 0) return `no stack file for ${missing.join(", ")} in ${root} (Pulumi.<stack>.yaml)`;
  return {
    base,
    stacks: stacks.length === 0 ? stackFilesIn(root) : stacks,
    format,
    accepted,
    root,
    days,
    ...(out === undefined ? {} : { out }),
    ...(historyUrl === undefined
      ? {}
      : { history: { url: historyUrl, headers, maxSeries, maxSamples, engine } }),
  };
}

const stackFileText = (root: string, stack: string) => {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
};

async function run(options: Options): Promise<number> {
  const bases = await withCheckout(
    options.base,
    async (root) => {
      const rendered: Record<string, Side> = {};
      for (const stack of options.stacks) {
        // A stack the base has no file for is new: everything it deploys is created.
        rendered[stack] = fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`))
          ? { render: await renderRevision(root, stack), keys: stackFileKeys(stackFileText(root, stack)) }
          : { render: { registrations: [], outputs: {} }, keys: {} };
      }
      return rendered;
    },
    options.root,
  );
  const promtool = path.join(toolDirectory("prometheus"), "promtool");
  const reviews: Review[] = [];
  const histories: string[] = [];
  const end = Math.floor(Date.now() / 60000) * 60;
  for (const stack of options.stacks) {
    const base = bases[stack];
    // An update of the base's deployment: the program reads the volumes it recorded.
    const head = {
      render: await renderRevision(options.root, stack, base.render.outputs),
      keys: stackFileKeys(stackFileText(options.root, stack)),
    };
    reviews.push(await compare(stack, base, head, promtool));
    if (options.history !== undefined) {
      // A history the runner cannot read leaves the review as it is, and says why.
      const history = await backtest(
        snapshotOf(stack, base.render, {}),
        snapshotOf(stack, head.render, {}),
        options.history,
        { start: end - options.days * 86400, end },
      ).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      histories.push(
        ...(typeof history === "string"
          ? historyUnread(stack, options.history.url, history, options.format)
          : historyLines(history, options.format)),
      );
    }
  }
  const text = [formatReview(reviews, options.format, options.base, options.accepted), ...histories].join(
    "\n",
  );
  if (options.out === undefined) {
    process.stdout.write(text);
  } else {
    fs.writeFileSync(options.out, text);
  }
  return reviews.every((r) => passes(r, options.accepted)) ? 0 : 1;
}

const options = parse(process.argv.slice(2));
if (typeof options === "string") {
  process.stderr.write(`${options}\n${USAGE}\n`);
  process.exit(2);
}
run(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CheckoutError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
