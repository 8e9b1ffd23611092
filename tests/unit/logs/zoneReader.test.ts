import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NODE_ZONE_PLACEHOLDER, ZONE_LABEL, zoneReaderScript } from "../../../components/logs/zoneReader";

const TEMPLATE = [
  "common:",
  "  ring:",
  `    instance_availability_zone: ${NODE_ZONE_PLACEHOLDER}`,
  "    zone_awareness_enabled: true",
  "",
].join("\n");

/** A node as the API server answers curl: pretty-printed, the zone among other labels. */
function nodeJson(labels: Record<string, string>): string {
  return JSON.stringify(
    {
      kind: "Node",
      metadata: {
        name: "ip-10-0-1-10.ec2.internal",
        labels: { "kubernetes.io/hostname": "ip-10-0-1-10", ...labels },
        annotations: { "node.alpha.kubernetes.io/ttl": "0" },
      },
    },
    null,
    2,
  );
}

/**
 * Runs the script with `sh` and a stand-in curl that records its arguments and prints `answer`, or
 * fails as `curl -f` does on an HTTP error when there is none.
 */
function runReader(answer: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zone-reader-"));
  const bin = path.join(dir, "bin");
  const sa = path.join(dir, "sa");
  fs.mkdirSync(bin);
  fs.mkdirSync(sa);
  fs.writeFileSync(path.join(sa, "token"), "t0ken");
  fs.writeFileSync(path.join(sa, "ca.crt"), "ca");
  fs.writeFileSync(path.join(dir, "answer.json"), answer);
  fs.writeFileSync(
    path.join(bin, "curl"),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/curl-args"\n[ -s "${dir}/answer.json" ] || exit 22\ncat "${dir}/answer.json"\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, "template.yaml"), TEMPLATE);
  const output = path.join(dir, "out.yaml");
  const script = zoneReaderScript({
    serviceAccountDir: sa,
    template: path.join(dir, "template.yaml"),
    output,
  });
  const run = spawnSync("sh", ["-c", script], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      NODE_NAME: "ip-10-0-1-10.ec2.internal",
      KUBERNETES_SERVICE_HOST: "10.100.0.1",
      KUBERNETES_SERVICE_PORT: "443",
    },
  });
  return {
    status: run.status,
    stderr: run.stderr,
    curlArgs: fs.existsSync(path.join(dir, "curl-args"))
      ? fs.readFileSync(path.join(dir, "curl-args"), "utf8").split("\n")
      : [],
    output: fs.existsSync(output) ? fs.readFileSync(output, "utf8") : undefined,
  };
}

test("the zone reader asks the API for its node with the pod's token, verifying the cluster CA", () => {
  const { curlArgs } = runReader(nodeJson({ [ZONE_LABEL]: "ap-northeast-2a" }));
  expect(curlArgs).toContain("https://10.100.0.1:443/api/v1/nodes/ip-10-0-1-10.ec2.internal");
  expect(curlArgs).toContain("Authorization: Bearer t0ken");
  expect(curlArgs[curlArgs.indexOf("--cacert") + 1]).toMatch(/\/sa\/ca\.crt$/);
  expect(curlArgs).toContain("-sSf");
});

test("the zone reader writes the node's zone into the config in place of the placeholder", () => {
  const { status, output } = runReader(
    nodeJson({ "topology.kubernetes.io/region": "ap-northeast-2", [ZONE_LABEL]: "ap-northeast-2c" }),
  );
  expect(status).toBe(0);
  expect(output).toBe(TEMPLATE.replace(NODE_ZONE_PLACEHOLDER, "ap-northeast-2c"));
});

test("a node without a zone label stops the pod, naming the label, and writes no config", () => {
  const { status, stderr, output } = runReader(nodeJson({}));
  expect(status).toBe(1);
  expect(stderr).toContain(`node ip-10-0-1-10.ec2.internal has no ${ZONE_LABEL} label`);
  expect(output).toBeUndefined();
});

test("an API error stops the pod before any config is written", () => {
  const { status, output } = runReader("");
  expect(status).toBe(22);
  expect(output).toBeUndefined();
});
