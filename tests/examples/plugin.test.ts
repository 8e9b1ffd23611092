// The provider plugin as a program in another language gets it: the packed package installed with
// npm, whose `bin` puts `pulumi-resource-observability` where npm puts executables (on PATH with
// `npm install --global`). Started as the engine starts a plugin, it prints its port and answers
// GetSchema with the schema the SDKs were generated from.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { SCHEMA_PATH } from "../../provider/provider";
import { tierPackage } from "./packedPackage";

let plugin: ChildProcess | undefined;

afterAll(() => {
  plugin?.kill("SIGKILL");
});

/** The first line the plugin prints: its port, as the engine reads it. */
function port(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^(\d+)\n/.exec(out);
      if (line !== null) resolve(Number(line[1]));
    });
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) =>
      reject(new Error(`the plugin exited ${code} before printing a port:\n${err}`)),
    );
  });
}

test("npm installs pulumi-resource-observability, which serves the committed schema", async () => {
  const prefix = path.join(tierPackage().scratch, "plugin");
  fs.mkdirSync(prefix, { recursive: true });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, tierPackage().tarball], {
    stdio: "ignore",
  });
  const executable = path.join(prefix, "node_modules", ".bin", "pulumi-resource-observability");
  plugin = spawn(executable, ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
  const client = new ResourceProviderClient(
    `127.0.0.1:${await port(plugin)}`,
    grpc.credentials.createInsecure(),
  );
  const schema = await new Promise<string>((resolve, reject) =>
    client.getSchema(new GetSchemaRequest(), (error, response) =>
      error === null ? resolve(response.getSchema()) : reject(error),
    ),
  );
  client.close();
  expect(JSON.parse(schema)).toEqual(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")));
});
