// The package's Pulumi schema (provider/schema.json), which Python, Go, .NET and YAML programs are
// given the components through: current with the TypeScript it is read from, shown able to fail on
// a changed arg or property, holding every property a TypeScript program gives each component (read
// from the API reference, not by the schema's own reader), and marking every credential secret.
// Reading the schema runs the type checker on the whole package (about 10 s a reading), which npm
// test cannot spare; the API reference's check is in this tier for the same reason.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import ts from "typescript";
import { SECRET_PATHS } from "../../config/errors";
import { stackConfigSchema } from "../../config/schema";
import { PACKAGE_NAME, SERVED_COMPONENTS } from "../../provider/components";
import { readSchema } from "../../provider/schemaOf";
import type { PackageSchema, PropertySpec } from "../../provider/schemaTypes";
import { keyDocs } from "../../scripts/docs/configReference";

const ROOT = path.resolve(__dirname, "../..");
const KEY_DOCS = keyDocs(stackConfigSchema);
const SCHEMA_FILE = path.join(ROOT, "provider", "schema.json");
const API_COMPONENTS = path.join(ROOT, "docs", "api", "components");
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
};
const committed = (): PackageSchema => JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const keyPath = (parent: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

/**
 * Where `read` differs from `want`, one line each: `+ path` (only in `read`), `- path` (only in
 * `want`), `~ path: want → read` (a value or a list changed). Objects are compared key by key.
 */
function schemaDrift(want: unknown, read: unknown, at = "schema"): string[] {
  if (isObject(want) && isObject(read)) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(read)])].sort();
    return keys.flatMap((key) => {
      if (!(key in read)) return [`- ${keyPath(at, key)}`];
      if (!(key in want)) return [`+ ${keyPath(at, key)}`];
      return schemaDrift(want[key], read[key], keyPath(at, key));
    });
  }
  return JSON.stringify(want) === JSON.stringify(read)
    ? []
    : [`~ ${at}: ${JSON.stringify(want)} → ${JSON.stringify(read)}`];
}

/** The check of the first test: the committed schema against a reading, failing with the fix. */
function expectCurrent(read: PackageSchema): void {
  const drift = schemaDrift(committed(), read);
  if (drift.length > 0) {
    throw new Error(
      `provider/schema.json is stale: run \`npm run schema\` (it writes the schema and sdks/)\n  ${drift.join("\n  ")}`,
    );
  }
}

test("provider/schema.json is current (npm run schema)", () => {
  const { schema, unsupported } = readSchema(ROOT, version, KEY_DOCS);
  expect(unsupported).toEqual([]);
  expectCurrent(schema);
});

/**
 * The package's own files that the entry point reaches (its imports, theirs, JSON they import), as
 * the type checker resolves them: what a copy needs to be read as the package is.
 */
function filesReached(root: string): string[] {
  const configFile = ts.readConfigFile(path.join(root, "tsconfig.json"), (file) => ts.sys.readFile(file));
  const options = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root).options;
  const program = ts.createProgram([path.join(root, "lib.ts")], { ...options, noEmit: true });
  return program
    .getSourceFiles()
    .map((file) => path.relative(root, file.fileName))
    .filter((file) => !file.startsWith("..") && !file.split(path.sep).includes("node_modules"));
}

const METRICS = `resources[${JSON.stringify(`${PACKAGE_NAME}:index:MetricsStack`)}]`;

/** A change to a component's TypeScript, and exactly where the schema read from it must differ. */
interface Plant {
  readonly name: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly drift: readonly string[];
}

const PLANTS: readonly Plant[] = [
  {
    name: "an arg added to MetricsStackArgs",
    file: "components/metricsStack.ts",
    from: "export interface MetricsStackArgs extends PlatformArgs {\n",
    to: "export interface MetricsStackArgs extends PlatformArgs {\n  readonly plantedKey?: string;\n",
    drift: [`+ schema.${METRICS}.inputProperties.plantedKey`],
  },
  {
    name: "an arg's type changed from string to number",
    file: "components/metricsStack.ts",
    from: "  readonly grafanaUrl?: string;\n",
    to: "  readonly grafanaUrl?: number;\n",
    drift: [`~ schema.${METRICS}.inputProperties.grafanaUrl.type: "string" → "number"`],
  },
  {
    name: "an output property removed from MetricsStack",
    file: "components/metricsStack.ts",
    from: "  public readonly alertmanagerUrl: string;\n",
    to: "",
    drift: [
      `- schema.${METRICS}.properties.alertmanagerUrl`,
      expect.stringMatching(
        new RegExp(
          `^~ schema\\.${METRICS.replace(/[[\]".:]/g, "\\$&")}\\.required: \\[.*"alertmanagerUrl".*\\] → \\[`,
        ),
      ) as unknown as string,
    ],
  },
];

describe("the staleness check fails on changed components (a copy of the sources)", () => {
  let copy: string;
  const timings: string[] = [];

  beforeAll(() => {
    const start = Date.now();
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "schema-drift-"));
    const files = filesReached(ROOT);
    for (const file of ["tsconfig.json", "package.json", ...files]) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    expect(files).toEqual(expect.arrayContaining(["lib.ts", "components/metricsStack.ts"]));
    timings.push(`copied ${files.length} files in ${Date.now() - start} ms`);
  });

  afterAll(() => {
    fs.rmSync(copy, { recursive: true, force: true });
    console.log(timings.join("\n"));
  });

  // One read of the copy with every change planted (each read type-checks the whole program):
  // each change's own drift must show, and nothing else.
  test(`each change named, and nothing else: ${PLANTS.map((p) => p.name).join("; ")}`, () => {
    for (const plant of PLANTS) {
      const file = path.join(copy, plant.file);
      const original = fs.readFileSync(file, "utf8");
      expect(original.split(plant.from)).toHaveLength(2);
      fs.writeFileSync(file, original.replace(plant.from, plant.to));
    }
    const start = Date.now();
    const { schema } = readSchema(copy, version, KEY_DOCS);
    timings.push(`${PLANTS.length} changes: read in ${Date.now() - start} ms`);
    const drift = schemaDrift(committed(), schema);
    const planted = PLANTS.flatMap((plant) => plant.drift);
    expect(drift).toEqual(expect.arrayContaining(planted));
    expect(drift).toHaveLength(planted.length);
    expect(() => expectCurrent(schema)).toThrow("run `npm run schema`");
  });
});

/** The rows of a markdown table of the API reference that are a declaration's own properties. */
function propertyRows(page: string): { name: string; optional: boolean; modifier: string }[] {
  return [...page.matchAll(/^\| <a id="property-[^"]+"><\/a> `([^`?]+)(\?)?` \| `([^`]+)` \|/gm)].map(
    ([, name, optional, modifier]) => ({ name, optional: optional === "?", modifier }),
  );
}

/**
 * The properties of an interface's page of the API reference: its own rows, and those of each
 * interface its Extends section links (PlatformArgs' sections are listed on that page only).
 */
function interfaceRows(name: string): ReturnType<typeof propertyRows> {
  const page = fs.readFileSync(path.join(API_COMPONENTS, "interfaces", `${name}.md`), "utf8");
  const extended = (page.split(/^## Extends$/m)[1]?.split(/^## /m)[0] ?? "").matchAll(
    /^- \[`(\w+)`\]\(\1\.md\)$/gm,
  );
  return [...propertyRows(page), ...[...extended].flatMap(([, parent]) => interfaceRows(parent))];
}

/** The Properties section of a page of the API reference. */
const propertiesSection = (page: string): string =>
  page.split(/^## Properties$/m)[1]?.split(/^## /m)[0] ?? "";

describe.each(SERVED_COMPONENTS.map((c) => c.className))(
  "%s: what a TypeScript program gives and reads, as the API reference lists it",
  (className) => {
    const resource = committed().resources[`${PACKAGE_NAME}:index:${className}`];
    const classPage = fs.readFileSync(path.join(API_COMPONENTS, "classes", `${className}.md`), "utf8");

    test("every arg is an input property, required where the args' interface requires it", () => {
      const argsPage = /^\| `args\??` \| \[`(\w+)`\]\(\.\.\/interfaces\/\1\.md\) \|$/m.exec(classPage);
      expect(argsPage).not.toBeNull();
      const args = interfaceRows(argsPage?.[1] ?? "");
      expect(args.length).toBeGreaterThan(0);
      expect(Object.keys(resource.inputProperties).sort()).toEqual(args.map((a) => a.name).sort());
      expect([...(resource.requiredInputs ?? [])].sort()).toEqual(
        args
          .filter((a) => !a.optional)
          .map((a) => a.name)
          .sort(),
      );
    });

    test("every public instance property is an output property", () => {
      const outputs = propertyRows(propertiesSection(classPage)).filter(
        (p) => p.modifier.split(" ").includes("public") && !p.modifier.split(" ").includes("static"),
      );
      expect(Object.keys(resource.properties).sort()).toEqual(outputs.map((p) => p.name).sort());
    });
  },
);

/** The specs a property's type stands for: its named type's, or each of a union's. */
function concrete(schema: PackageSchema, spec: PropertySpec): PropertySpec[] {
  const ref = spec.$ref?.startsWith("#/types/") ? spec.$ref.slice("#/types/".length) : undefined;
  if (ref !== undefined) {
    const type = schema.types[ref];
    if (type === undefined) throw new Error(`no type ${ref} in the schema`);
    return [type as PropertySpec & { properties: Record<string, PropertySpec> }];
  }
  return spec.oneOf === undefined ? [spec] : spec.oneOf.flatMap((s: PropertySpec) => concrete(schema, s));
}

/**
 * The properties at `keys` below `properties` (`*`: a list's items or a map's values), along every
 * branch of a union that has them; none where the args do not reach that far.
 */
function propertiesAt(
  schema: PackageSchema,
  properties: Readonly<Record<string, PropertySpec>>,
  keys: readonly string[],
): PropertySpec[] {
  const [key, ...rest] = keys;
  const here = properties[key];
  if (here === undefined) return [];
  return rest.length === 0 ? [here] : below(schema, here, rest);
}

function below(schema: PackageSchema, spec: PropertySpec, keys: readonly string[]): PropertySpec[] {
  return concrete(schema, spec).flatMap((c) => {
    if (keys[0] === "*") {
      const inner = c.items ?? c.additionalProperties;
      if (inner === undefined) return [];
      return keys.length === 1 ? [inner as PropertySpec] : below(schema, inner, keys.slice(1));
    }
    const nested = (c as { properties?: Record<string, PropertySpec> }).properties;
    return nested === undefined ? [] : propertiesAt(schema, nested, keys);
  });
}

test("every credential the args take is a secret property (SECRET_PATHS of config/errors.ts)", () => {
  const schema = committed();
  const reached = new Set<string>();
  const notSecret: string[] = [];
  for (const { className } of SERVED_COMPONENTS) {
    const resource = schema.resources[`${PACKAGE_NAME}:index:${className}`];
    for (const secretPath of SECRET_PATHS) {
      const found = propertiesAt(schema, resource.inputProperties, secretPath);
      if (found.length > 0) reached.add(secretPath.join("."));
      if (found.some((p) => p.secret !== true)) notSecret.push(`${className}: ${secretPath.join(".")}`);
    }
  }
  expect(notSecret).toEqual([]);
  // Each is reached by some component's args: a walk that stopped short would prove nothing.
  expect([...reached].sort()).toEqual(SECRET_PATHS.map((p) => p.join(".")).sort());
});
