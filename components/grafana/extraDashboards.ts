import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { StackConfig, keyPath } from "../../config";
import { Json, JsonObject, isObject } from "./dashboardJson";
import { dashboardQueryProblems } from "./dashboardQueries";
import { STACK_DASHBOARDS } from "./dashboards";
import { ProvisionedDatasource, WiredBackends, provisionedDatasources } from "./datasources";

/** What a ConfigMap's data may hold in all (the API server refuses more). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/** Grafana's limits on a dashboard or folder UID. */
const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** Datasource UIDs and names Grafana resolves itself: annotations, mixed and dashboard-reuse panels, expressions. */
const BUILT_IN_DATASOURCES = new Set([
  "grafana",
  "-- Grafana --",
  "-- Mixed --",
  "-- Dashboard --",
  "__expr__",
  "default",
]);
const BUILT_IN_TYPES = new Set(["grafana", "datasource", "__expr__"]);

/** `$name`, `${name}`, `${name:format}` or `[[name]]`: a reference to a dashboard variable. */
const VARIABLE_REFERENCE = /^(?:\$([A-Za-z0-9_]+)|\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\[\[([A-Za-z0-9_]+)\]\])$/;

/** One `grafana.extraDashboards` entry, read and checked: the files its ConfigMap holds. */
export interface ExtraDashboardFolder {
  /** The Grafana folder's title. */
  readonly folder: string;
  /** Fixed, so that permissions and links find the folder across restarts. */
  readonly folderUid: string;
  /** Names the ConfigMap, the volume and the mount path. */
  readonly slug: string;
  /** `<dashboard uid>.json` → the dashboard, its `__inputs` resolved. */
  readonly files: Readonly<Record<string, string>>;
}

/** `grafana.extraDashboards` read from the repository, or every problem found, each naming the key and the file. */
interface ExtraDashboards {
  readonly folders: readonly ExtraDashboardFolder[];
  readonly problems: readonly string[];
}

/** A slug of the folder title; a hash when the title has no ASCII letters or digits. */
function folderSlug(folder: string): string {
  const slug = folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30)
    .replace(/-+$/, "");
  return slug === "" ? createHash("sha256").update(folder).digest("hex").slice(0, 12) : slug;
}

/** The fixed UID of an extra dashboards folder. */
export const extraFolderUid = (folder: string): string => `extra-${folderSlug(folder)}`;

/** Replaces every `${NAME}` of the inputs in every string of the dashboard, as Grafana's import would. */
function substitute(node: Json, values: ReadonlyMap<string, string>): Json {
  if (typeof node === "string") {
    return node.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => values.get(name) ?? whole);
  }
  if (Array.isArray(node)) {
    return node.map((item) => substitute(item, values));
  }
  if (isObject(node)) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, values)]));
  }
  return node;
}

/**
 * A grafana.com export names its datasources as `__inputs` (`${DS_PROMETHEUS}`), which only the
 * import dialog fills in: file provisioning would load them unresolved. Each datasource input takes
 * the first provisioned datasource of its plugin type, the stack's own before the extra ones.
 */
function resolveInputs(
  board: JsonObject,
  datasources: readonly ProvisionedDatasource[],
): { board: JsonObject; problems: string[]; unresolved: Set<string> } {
  const inputs = board.__inputs;
  const unresolved = new Set<string>();
  if (inputs === undefined) {
    return { board, problems: [], unresolved };
  }
  if (!Array.isArray(inputs)) {
    return { board, problems: ["__inputs must be a list"], unresolved };
  }
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const input of inputs) {
    if (!isObject(input) || typeof input.name !== "string") {
      problems.push("__inputs must list objects with a name");
      continue;
    }
    if (input.type === "datasource") {
      const match = datasources.find((d) => d.type === input.pluginId);
      if (match === undefined) {
        unresolved.add(input.name);
        problems.push(
          `__inputs ${input.name} needs a datasource of type ${JSON.stringify(input.pluginId)}, and none is provisioned ` +
            `(types: ${[...new Set(datasources.map((d) => d.type))].join(", ")}; add one in grafana.extraDatasources)`,
        );
      } else {
        values.set(input.name, match.uid);
      }
    } else if (typeof input.value === "string") {
      values.set(input.name, input.value);
    }
  }
  // Resolved: Grafana would only show them again in its import dialog.
  const rest = Object.fromEntries(Object.entries(board).filter(([key]) => key !== "__inputs"));
  return { board: substitute(rest, values) as JsonObject, problems, unresolved };
}

/** The names of the dashboard's datasource variables, which panels may reference as `$name`. */
function datasourceVariables(board: JsonObject): Map<string, Json> {
  const templating = board.templating;
  const list = isObject(templating) && Array.isArray(templating.list) ? templating.list : [];
  return new Map(
    list
      .filter(isObject)
      .filter((v) => v.type === "datasource" && typeof v.name === "string")
      .map((v) => [v.name as string, v.query ?? null]),
  );
}

/**
 * Every datasource reference of the dashboard (panels, rows, targets, variables, annotations) that
 * resolves to nothing; references to `reported` inputs (already refused) are left out.
 */
function unresolvedReferences(
  board: JsonObject,
  datasources: readonly ProvisionedDatasource[],
  reported: ReadonlySet<string>,
): string[] {
  const variables = datasourceVariables(board);
  const uids = new Set(datasources.map((d) => d.uid));
  const names = new Set(datasources.map((d) => d.name));
  const types = new Set(datasources.map((d) => d.type));
  const provisioned = `provisioned: ${datasources.map((d) => `${d.name} (${d.type}, uid ${d.uid})`).join(", ")}`;
  const problems: string[] = [];

  const variable = (text: string): string | undefined => {
    const match = VARIABLE_REFERENCE.exec(text);
    return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
  };
  const check = (ref: Json, where: string) => {
    if (ref === null) {
      return; // the default datasource
    }
    if (typeof ref === "string") {
      const name = variable(ref);
      if (name !== undefined) {
        if (!variables.has(name) && !reported.has(name)) {
          problems.push(`${where} uses $${name}, which is not a datasource variable of the dashboard`);
        }
      } else if (!BUILT_IN_DATASOURCES.has(ref) && !names.has(ref) && !uids.has(ref)) {
        problems.push(
          `${where} names datasource ${JSON.stringify(ref)}, which is not provisioned (${provisioned})`,
        );
      }
      return;
    }
    if (!isObject(ref)) {
      problems.push(`${where} must be a datasource name or a {type, uid} object`);
      return;
    }
    const { uid, type } = ref;
    if (typeof uid === "string") {
      const name = variable(uid);
      if (name !== undefined) {
        if (!variables.has(name) && !reported.has(name)) {
          problems.push(`${where} uses $${name}, which is not a datasource variable of the dashboard`);
        }
      } else if (!BUILT_IN_DATASOURCES.has(uid) && !uids.has(uid)) {
        problems.push(
          `${where} references datasource uid ${JSON.stringify(uid)}, which is not provisioned (${provisioned})`,
        );
      }
    } else if (typeof type === "string" && !BUILT_IN_TYPES.has(type) && !types.has(type)) {
      problems.push(
        `${where} needs a datasource of type ${JSON.stringify(type)}, and none is provisioned (${provisioned})`,
      );
    }
  };
  const walk = (node: Json, where: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${where}[${i}]`));
      return;
    }
    if (!isObject(node)) {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const at = where === "" ? key : `${where}.${key}`;
      if (key === "datasource") {
        check(value, at);
      } else {
        walk(value, at);
      }
    }
  };
  walk(board, "");
  for (const [name, pluginType] of variables) {
    if (
      typeof pluginType === "string" &&
      pluginType !== "" &&
      variable(pluginType) === undefined &&
      !types.has(pluginType)
    ) {
      problems.push(
        `datasource variable ${name} lists datasources of type ${JSON.stringify(pluginType)}, and none is provisioned (${provisioned})`,
      );
    }
  }
  return problems;
}

const mebibytes = (bytes: number) => `${(bytes / CONFIGMAP_LIMIT_BYTES).toFixed(2)} MiB`;

type ExtraDashboardsEntry = StackConfig["grafana"]["extraDashboards"][number];

/**
 * The dashboard JSON texts of one `grafana.extraDashboards` entry by file name: its folder's
 * `.json` files (relative to `root`), or the dashboards a program gave, with how errors name them.
 */
function dashboardTexts(
  entry: ExtraDashboardsEntry,
  root: string,
): { label: string; texts: Record<string, string> } | { problem: string } {
  if (entry.path === undefined) {
    return { label: entry.folder, texts: { ...entry.dashboards } };
  }
  const dir = path.resolve(root, entry.path);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return {
      problem: `must be a folder of dashboard JSON files, relative to the project root; tried ${dir}, which is not one`,
    };
  }
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
  return {
    label: entry.path,
    texts: Object.fromEntries(names.map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")])),
  };
}

/**
 * Reads every `grafana.extraDashboards` folder (paths relative to `root`, the project's directory)
 * against the datasources of the backends Grafana has
 * and checks each dashboard before anything is deployed: valid JSON, a dashboard object with a
 * title and a UID of its own (links and bookmarks are `/d/<uid>`: a UID derived from the file name
 * would change when the file is renamed), unique across the stack's dashboards and all extra ones,
 * every datasource reference resolving to a provisioned datasource, every Prometheus query one
 * Prometheus parses, and each folder fitting in a ConfigMap.
 */
export function readExtraDashboards(
  config: Pick<StackConfig, "grafana" | "cluster" | "apps" | "metrics">,
  backends: WiredBackends,
  root: string,
): ExtraDashboards {
  const datasources = provisionedDatasources(config, backends);
  const owners = new Map<string, string>(
    STACK_DASHBOARDS.map((d) => [d.uid, `the stack's own dashboard ${JSON.stringify(d.title)}`]),
  );
  const problems: string[] = [];
  const folderUids = new Map<string, string>();
  const folders = config.grafana.extraDashboards.map((entry, i): ExtraDashboardFolder => {
    const key = keyPath(["grafana", "extraDashboards", i, entry.path === undefined ? "dashboards" : "path"]);
    const folderUid = extraFolderUid(entry.folder);
    const clash = folderUids.get(folderUid);
    if (clash !== undefined) {
      problems.push(
        `${keyPath(["grafana", "extraDashboards", i, "folder"])} must differ from ${JSON.stringify(clash)} once made a folder UID (both are ${folderUid})`,
      );
    }
    folderUids.set(folderUid, entry.folder);
    const slug = folderUid.slice("extra-".length);
    const given = dashboardTexts(entry, root);
    if ("problem" in given) {
      problems.push(`${key} ${given.problem}`);
      return { folder: entry.folder, folderUid, slug, files: {} };
    }
    const names = Object.keys(given.texts).sort();
    if (names.length === 0) {
      problems.push(`${key} must hold at least one .json dashboard; ${given.label} has none`);
    }
    const files: Record<string, string> = {};
    for (const name of names) {
      const file = path.join(given.label, name);
      const inFile = (problem: string) => problems.push(`${key} (${file}): ${problem}`);
      let parsed: Json;
      try {
        parsed = JSON.parse(given.texts[name]) as Json;
      } catch (error) {
        inFile(`must be valid JSON: ${(error as Error).message}`);
        continue;
      }
      if (!isObject(parsed)) {
        inFile("must be a dashboard object");
        continue;
      }
      const resolved = resolveInputs(parsed, datasources);
      resolved.problems.forEach(inFile);
      const board = resolved.board;
      if (typeof board.title !== "string" || board.title === "") {
        inFile("must have a title");
      }
      if (typeof board.uid !== "string" || !UID_PATTERN.test(board.uid)) {
        inFile(
          `must have a uid of 1-40 letters, digits, '-' or '_' (got ${JSON.stringify(board.uid ?? null)}): ` +
            "links and bookmarks open /d/<uid>, so it is part of the dashboard",
        );
        continue;
      }
      const owner = owners.get(board.uid);
      if (owner !== undefined) {
        inFile(`uid ${JSON.stringify(board.uid)} must be unique, and ${owner} has it already`);
        continue;
      }
      owners.set(board.uid, file);
      unresolvedReferences(board, datasources, resolved.unresolved).forEach(inFile);
      dashboardQueryProblems(board, datasources).forEach(inFile);
      files[`${board.uid}.json`] = JSON.stringify(board, null, 2);
    }
    const sizes = Object.entries(files).map(
      ([k, text]) => [k, Buffer.byteLength(k) + Buffer.byteLength(text)] as const,
    );
    const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
    if (total > CONFIGMAP_LIMIT_BYTES) {
      const [largest, bytes] = [...sizes].sort((a, b) => b[1] - a[1])[0];
      problems.push(
        `${key} (${given.label}) must fit in one ConfigMap (at most 1 MiB); its dashboards are ${mebibytes(total)}, ` +
          `the largest ${largest} ${mebibytes(bytes)}: split the folder over two entries, or trim the dashboard`,
      );
    }
    return { folder: entry.folder, folderUid, slug, files };
  });
  return { folders, problems };
}
