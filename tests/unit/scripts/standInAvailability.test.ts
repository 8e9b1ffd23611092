// scripts/tools/stand-in-availability.sh against a module proxy on 127.0.0.1 that answers as the
// real one does: a version's `.info` for a served module, 403 for a refused one.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";

const SCRIPT = path.join(PROJECT_ROOT, "scripts/tools/stand-in-availability.sh");

async function withProxy<T>(served: RegExp, body: (url: string, asked: string[]) => Promise<T>): Promise<T> {
  const asked: string[] = [];
  const server = http.createServer((request, response) => {
    const url = request.url ?? "";
    asked.push(url);
    if (served.test(url) && url.endsWith(".info")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          Version: url
            .split("/")
            .pop()
            ?.replace(/\.info$/, ""),
          Time: "2026-01-01T00:00:00Z",
        }),
      );
    } else {
      response.writeHead(403);
      response.end("forbidden\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked);
  } finally {
    server.close();
  }
}

function run(proxy: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [SCRIPT], { env: { ...process.env, GOPROXY: `${proxy},direct` } });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.on("close", (status) => resolve({ status, stdout }));
  });
}

test("each refused module is named with its proxy's answer and what stands in for it; exit 1 while any is refused", async () => {
  await withProxy(/pulumi-random/, async (proxy, asked) => {
    const { status, stdout } = await run(proxy);
    expect(status).toBe(1);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^served +github\.com\/pulumi\/pulumi-random\/provider\/v4@v\d+\.\d+\.\d+ \(replaces tests\/kit\/engine\/randomProvider\.ts\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^refused \(403\) +github\.com\/pulumiverse\/pulumi-grafana\/provider@v[\d.]+ \(so: tests\/kit\/engine\/grafanaProvider\.ts\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^refused \(403\) +github\.com\/pulumi\/pulumi\/sdk\/python\/cmd\/pulumi-language-python\/v3@v[\d.]+ \(so: the language host of sdk\/v3 v3\.68\.0\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^refused \(403\) +github\.com\/pulumi\/pulumi\/sdk\/go\/pulumi-language-go\/v3@v[\d.]+ \(so: the language host of sdk\/v3 v3\.66\.0\)$/,
      ),
    );
    expect(lines[7]).toMatch(new RegExp(`^6 of 7 refused on \\d{4}-\\d\\d-\\d\\d by ${proxy}$`));
    // The versions asked for are the lockfile's.
    const random = JSON.parse(
      fs.readFileSync(path.join(PROJECT_ROOT, "node_modules/@pulumi/random/package.json"), "utf8"),
    ).version;
    expect(asked).toContain(`/github.com/pulumi/pulumi-random/provider/v4/@v/v${random}.info`);
  });
});

test("exit 0 once every module is served", async () => {
  await withProxy(/./, async (proxy) => {
    const { status, stdout } = await run(proxy);
    expect(status).toBe(0);
    expect(stdout).toContain("0 of 7 refused");
  });
});
