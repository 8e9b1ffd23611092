// The SDKs of the package in other languages, generated from provider/schema.json by
// `pulumi package gen-sdk` (the CLI of the engine tier), which asks each language's plugin for the
// code: here the code generators of tools/pulumi-codegen, installed under each plugin's name.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GO_SDK_MODULE } from "../../provider/components";
import { PROJECT_ROOT } from "../../render/renderStack";

/** The languages an SDK is generated for; YAML programs read the schema itself. */
export const SDK_LANGUAGES = ["python", "go", "dotnet"] as const;
export type SdkLanguage = (typeof SDK_LANGUAGES)[number];

/** Where the generated SDKs are committed: sdks/<language>. */
export const SDKS_DIR = path.join(PROJECT_ROOT, "sdks");

export interface SdkTools {
  /** The directory of the `pulumi` CLI (scripts/tools/build.sh pulumi). */
  readonly pulumi: string;
  /** The directory of `pulumi-codegen` (scripts/tools/build.sh pulumi-codegen). */
  readonly codegen: string;
}

/** Writes the SDK of each language for the schema at `schemaPath` into `outDir/<language>`. */
export function generateSdks(schemaPath: string, outDir: string, tools: SdkTools): void {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "gen-sdk-"));
  try {
    const bin = path.join(home, "bin");
    fs.mkdirSync(bin);
    for (const language of SDK_LANGUAGES) {
      fs.symlinkSync(
        path.join(tools.codegen, "pulumi-codegen"),
        path.join(bin, `pulumi-language-${language}`),
      );
    }
    for (const language of SDK_LANGUAGES) {
      execFileSync(
        path.join(tools.pulumi, "pulumi"),
        ["package", "gen-sdk", schemaPath, "--language", language, "--out", outDir],
        {
          cwd: home,
          env: {
            PATH: [bin, process.env.PATH ?? ""].join(path.delimiter),
            HOME: home,
            PULUMI_HOME: path.join(home, ".pulumi"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
    }
    // The Go SDK as a module a program's go.mod can require or replace: the go.mod the generator
    // writes for a package with `supportPack`, which would also change the other SDKs.
    fs.writeFileSync(path.join(outDir, "go", "go.mod"), GO_MOD);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const GO_MOD = `module ${GO_SDK_MODULE}

go 1.20

require github.com/pulumi/pulumi/sdk/v3 v3.30.0
`;
