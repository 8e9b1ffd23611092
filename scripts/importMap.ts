// `npm run -s import-map`: the program's import graph read from the source. It prints the
// import cycles, every import that runs up the layers, the pairs of folders that import each
// other, every import of one component's files from another's, and the file count and largest file
// per folder. Exits non-zero when there is a cycle, an upward import or a cross-component import,
// so the layering is held.
//   npm run -s import-map [-- <project root>]
import * as fs from "fs";
import * as path from "path";

/**
 * The program's layers, lowest first: a file may import its own layer and those below it.
 * The facts (`names.ts`: names and ports) sit above the building blocks, the builders of each
 * component (its flows among them) above the facts, the wiring graph, which joins the components'
 * flows, above the builders, the component resources above the graph, the library's entry point
 * above them and the program, its consumer, above that. The test kit sits below the scripts and
 * the tests, which both use it; a test may import the script it tests, a script never imports a
 * test.
 */
const LAYERS: readonly { readonly name: string; readonly matches: (file: string) => boolean }[] = [
  // The one module that touches Pulumi SDK internals imports nothing of the repo (a test holds it),
  // so the loader in config/ and the renderer can both use it.
  { name: "SDK adapter", matches: (f) => f === "runtime/pulumiSdk.ts" },
  { name: "config", matches: (f) => f.startsWith("config/") },
  { name: "building blocks", matches: (f) => f.startsWith("components/common/") },
  { name: "facts", matches: (f) => /^components\/[a-z]+\/names\.ts$/.test(f) },
  { name: "builders", matches: (f) => /^components\/(?!wiring\/)[a-z]+\//.test(f) },
  { name: "wiring graph", matches: (f) => f.startsWith("components/wiring/") },
  { name: "component resources", matches: (f) => f.startsWith("components/") },
  { name: "library", matches: (f) => f === "lib.ts" },
  // The components served to other languages, and the schema read from their types.
  { name: "provider", matches: (f) => f.startsWith("provider/") },
  { name: "program", matches: (f) => f === "index.ts" },
  { name: "tooling", matches: (f) => /^(render|checks|policy|review|testing)\//.test(f) },
  // What the scripts and the tests both use: servers, tools, the test cluster, fixtures.
  { name: "test kit", matches: (f) => f.startsWith("tests/kit/") },
  { name: "scripts", matches: (f) => f.startsWith("scripts/") },
  { name: "tests", matches: () => true },
];

const layerOf = (file: string): number => LAYERS.findIndex((l) => l.matches(file));

function sourceFiles(root: string, dir = ""): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      return ["node_modules", "dist"].includes(entry.name) || entry.name.startsWith(".")
        ? []
        : sourceFiles(root, relative);
    }
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** The project files a file imports (relative specifiers only: packages are not layers). */
function importsOf(root: string, file: string, known: ReadonlySet<string>): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|require\(|import\s+)"(\.{1,2}\/[^"]*)"/g)].map(
    (m) => m[1],
  );
  return [
    ...new Set(
      specifiers.map((specifier) => {
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => known.has(candidate)) ?? base;
      }),
    ),
  ].filter((target) => known.has(target));
}

/** Strongly connected components of more than one file (Tarjan), each an import cycle. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          component.push(member);
        }
      } while (member !== undefined && member !== node);
      if (component.length > 1) {
        found.push(component.sort());
      }
    }
  };
  for (const node of graph.keys()) {
    if (!index.has(node)) {
      visit(node);
    }
  }
  return found;
}

/**
 * The folder a file counts in for two-way imports: `components/<x>`, `tests/<tier>` and
 * `tests/unit/<x>` each on their own (a file directly in one of those parents counts in the
 * parent), any other file in its top folder.
 */
function folderOf(file: string): string {
  const parts = file.split("/");
  const depth = parts[0] === "components" ? 2 : parts[0] === "tests" ? (parts[1] === "unit" ? 3 : 2) : 1;
  return parts.length === 1 ? "." : parts.slice(0, Math.min(depth, parts.length - 1)).join("/");
}

/** Folders of components/ that belong to no one component: the building blocks and the wiring graph. */
const SHARED_FOLDERS = ["common", "wiring"];

/**
 * The component a file of components/ belongs to: its folder (`components/metrics/…`), or the
 * folder its resource is named for (`components/metricsStack.ts`); none for the shared folders and
 * the files that compose the components. `folders` are the component folders.
 */
function componentOf(file: string, folders: ReadonlySet<string>): string | undefined {
  const component =
    /^components\/([a-z]+)\//.exec(file)?.[1] ?? /^components\/([a-z]+)Stack\.ts$/.exec(file)?.[1];
  return component !== undefined && folders.has(component) ? component : undefined;
}

/** Each import from one component's files into another's, as `importer → imported`. */
function crossComponentImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const folders = new Set(
    [...graph.keys()].flatMap((file) => {
      const folder = /^components\/([a-z]+)\//.exec(file)?.[1];
      return folder === undefined || SHARED_FOLDERS.includes(folder) ? [] : [folder];
    }),
  );
  return [...graph].flatMap(([file, targets]) => {
    const own = componentOf(file, folders);
    return own === undefined
      ? []
      : targets
          .filter((target) => {
            const other = componentOf(target, folders);
            return other !== undefined && other !== own;
          })
          .map((target) => `${file} → ${target}`);
  });
}

/** Each pair of folders where a file of one imports a file of the other and back, as `a ↔ b`. */
function twoWayFolders(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const edges = new Set(
    [...graph].flatMap(([file, targets]) =>
      targets.map((target) => `${folderOf(file)} → ${folderOf(target)}`),
    ),
  );
  const folders = [...new Set([...graph.keys()].map(folderOf))].sort();
  return folders.flatMap((a, i) =>
    folders
      .slice(i + 1)
      .flatMap((b) => (edges.has(`${a} → ${b}`) && edges.has(`${b} → ${a}`) ? [`${a} ↔ ${b}`] : [])),
  );
}

interface ImportMap {
  readonly files: number;
  readonly imports: number;
  /** Each import cycle, its files sorted. */
  readonly cycles: readonly (readonly string[])[];
  /** Each import from a lower layer to a higher one, as `importer (layer) → imported (layer)`. */
  readonly upward: readonly string[];
  /** Each pair of folders that import each other (see `folderOf`), as `a ↔ b`, sorted. */
  readonly twoWay: readonly string[];
  /**
   * Each import of one component's files from another's (see `componentOf`): what one component
   * needs of another arrives in its args.
   */
  readonly crossComponent: readonly string[];
  readonly folders: ReadonlyMap<string, { count: number; largest: string; lines: number }>;
}

/** The import map of the TypeScript sources under `root` (node_modules and dot folders left out). */
export function importMap(root: string): ImportMap {
  const files = sourceFiles(root).sort();
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(root, file, known)]));

  const loops = cycles(graph);
  const upward = [...graph].flatMap(([file, targets]) =>
    targets
      .filter((target) => layerOf(target) > layerOf(file))
      .map(
        (target) => `${file} (${LAYERS[layerOf(file)].name}) → ${target} (${LAYERS[layerOf(target)].name})`,
      ),
  );

  const folders = new Map<string, { count: number; largest: string; lines: number }>();
  for (const file of files) {
    const folder = path.posix.dirname(file);
    const lines = fs.readFileSync(path.join(root, file), "utf8").split("\n").length;
    const row = folders.get(folder) ?? { count: 0, largest: "", lines: 0 };
    folders.set(folder, {
      ...row,
      count: row.count + 1,
      ...(lines > row.lines ? { largest: path.posix.basename(file), lines } : {}),
    });
  }

  return {
    files: files.length,
    imports: [...graph.values()].flat().length,
    cycles: loops,
    upward,
    twoWay: twoWayFolders(graph),
    crossComponent: crossComponentImports(graph),
    folders,
  };
}

function main(): number {
  const map = importMap(path.resolve(process.argv[2] ?? path.join(__dirname, "..")));
  console.log(`${map.files} files, ${map.imports} project imports`);
  console.log(`import cycles: ${map.cycles.length}`);
  map.cycles.forEach((loop) => console.log(`  ${loop.join(" ↔ ")}`));
  console.log(
    `imports that run up the layers (${LAYERS.map((l) => l.name).join(" < ")}): ${map.upward.length}`,
  );
  map.upward.forEach((line) => console.log(`  ${line}`));
  console.log(
    `folders that import each other (components/<x>, tests/<tier> and tests/unit/<x> apart): ${map.twoWay.length}`,
  );
  map.twoWay.forEach((pair) => console.log(`  ${pair}`));
  console.log(`imports of one component's files from another's: ${map.crossComponent.length}`);
  map.crossComponent.forEach((line) => console.log(`  ${line}`));
  console.log("folder | files | largest file (lines)");
  for (const [folder, row] of [...map.folders].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${folder} | ${row.count} | ${row.largest} (${row.lines})`);
  }
  return map.cycles.length + map.upward.length + map.crossComponent.length === 0 ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = main();
}
