// docs/schema/: the package's schema (provider/schema.json) as programs in other languages read it:
// each component's inputs and outputs, and every object type, with the descriptions the SDKs carry.
import * as fs from "fs";
import * as path from "path";
import { SCHEMA_PATH } from "../../provider/provider";
import type { PackageSchema, PropertySpec, TypeSpec } from "../../provider/schemaTypes";
import { PROJECT_ROOT } from "../../render/renderStack";

const DIR = path.join(PROJECT_ROOT, "docs", "schema");
const TYPE_PREFIX = "#/types/";

/** `observability:index:MetricsSection` → `MetricsSection`. */
const shortName = (token: string): string => token.split(":").pop() ?? token;
const anchor = (name: string): string => name.toLowerCase();

function typeText(spec: TypeSpec, typesPage: string): string {
  if (spec.$ref?.startsWith(TYPE_PREFIX) === true) {
    const name = shortName(spec.$ref.slice(TYPE_PREFIX.length));
    return `[${name}](${typesPage}#${anchor(name)})`;
  }
  if (spec.$ref === "pulumi.json#/Any") return "any";
  if (spec.oneOf !== undefined) return spec.oneOf.map((s) => typeText(s, typesPage)).join(" or ");
  if (spec.type === "array" && spec.items !== undefined) return `list of ${typeText(spec.items, typesPage)}`;
  if (spec.type === "object" && spec.additionalProperties !== undefined) {
    return `map of ${typeText(spec.additionalProperties, typesPage)}`;
  }
  return spec.type ?? "any";
}

/** One table cell: a description on one line, its pipes escaped. */
const cell = (text: string | undefined): string =>
  (text ?? "").replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

function propertyTable(
  properties: Readonly<Record<string, PropertySpec>>,
  required: readonly string[] | undefined,
  typesPage: string,
): string {
  const rows = Object.entries(properties).map(
    ([name, spec]) =>
      `| \`${name}\`${required?.includes(name) === true ? " (required)" : ""}${spec.secret === true ? " (secret)" : ""} | ${typeText(spec, typesPage)} | ${cell(spec.description)} |`,
  );
  return rows.length === 0
    ? "None.\n"
    : `| property | type | description |\n| --- | --- | --- |\n${rows.join("\n")}\n`;
}

/** The pages of docs/schema/ for `schema`. */
export function schemaReference(
  schema: PackageSchema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as PackageSchema,
): { readonly path: string; readonly content: string }[] {
  const resources = Object.entries(schema.resources).map(
    ([token, spec]) =>
      `## ${shortName(token)}\n\n\`${token}\`: ${cell(spec.description)}\n\n### Inputs\n\n${propertyTable(spec.inputProperties, spec.requiredInputs, "types.md")}\n### Outputs\n\n${propertyTable(spec.properties, spec.required, "types.md")}`,
  );
  const types = Object.entries(schema.types).map(
    ([token, spec]) =>
      `## ${shortName(token)}\n\n${spec.description === undefined ? "" : `${cell(spec.description)}\n\n`}${propertyTable(spec.properties, spec.required, "")}`,
  );
  const header = (title: string) =>
    `# ${title}\n\nGenerated from [provider/schema.json](../../provider/schema.json) by \`npm run docs\` (do not edit by hand). Names are the schema's: each SDK writes them in its language's case (\`retentionTime\` is \`retention_time\` in Python). [package.md](../package.md#from-python-yaml-go-and-net) says how to install and use the package from each language.\n\n`;
  return [
    {
      path: path.join(DIR, "README.md"),
      content: `${header(`The components in the package schema (${schema.name} ${schema.version})`)}Their object types are in [types.md](types.md).\n\n${resources.join("\n")}`,
    },
    {
      path: path.join(DIR, "types.md"),
      content: `${header(`The object types of the package schema (${schema.name} ${schema.version})`)}${types.join("\n")}`,
    },
  ];
}
