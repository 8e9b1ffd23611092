// `npm run schema`: writes the package's Pulumi schema (provider/schema.json), read from the
// components' TypeScript args and properties (provider/schemaOf.ts), and the SDKs generated from it
// (sdks/python, sdks/go, sdks/dotnet). Fails, naming each, when a property has a type the schema
// cannot carry.
import * as fs from "fs";
import * as path from "path";
import { SCHEMA_PATH } from "../provider/provider";
import { stackConfigSchema } from "../config/schema";
import { readSchema } from "../provider/schemaOf";
import { PROJECT_ROOT } from "../render/renderStack";
import { toolDirectory } from "../tests/kit/tools";
import { keyDocs } from "./docs/configReference";
import { SDKS_DIR, generateSdks } from "./package/sdks";

const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  version: string;
};
// Each key of a section the args take is described as docs/configuration.md describes it.
const { schema, unsupported } = readSchema(PROJECT_ROOT, version, keyDocs(stackConfigSchema));
if (unsupported.length > 0) {
  process.stderr.write(
    `properties the schema cannot carry (a function or a resource):\n  ${unsupported.join("\n  ")}\n`,
  );
  process.exit(1);
}
fs.writeFileSync(SCHEMA_PATH, `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}\n`);
fs.rmSync(SDKS_DIR, { recursive: true, force: true });
generateSdks(SCHEMA_PATH, SDKS_DIR, {
  pulumi: toolDirectory("pulumi"),
  codegen: toolDirectory("pulumi-codegen"),
});
process.stdout.write(`wrote ${path.relative(process.cwd(), SDKS_DIR)}/{python,go,dotnet}\n`);
