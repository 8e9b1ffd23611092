// Checkov, an independent checker, runs every one of its Kubernetes checks on both stacks' rendered
// manifests. Only the failures documented in checks/checkov-skips.yaml are accepted.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckovFailure, checkovSkips, staleSkips, unexplainedFailures } from "../../../checks/checkov";
import { KubeObject, toManifest } from "../../../render/manifest";
import { exampleDeployment } from "../../support/fixtures";
import { rendered } from "../../support/renderedStacks";
import { CheckovResult, runCheckov } from "../../kit/checkov";
import { tools } from "../../kit/tools";

let dir: string | undefined;
const file = (name: string) => path.join(dir ?? "", `${name}.yaml`);

// Checkov's start-up is most of its time, and on a busy machine it and the two renders take
// minutes: one run over both stacks and a known-bad manifest, started by the first test that needs
// it, and each such test bounded on its own, generously (tests/kit/checkov.ts bounds the run itself).
const CHECKOV_TEST_BOUND_MS = 15 * 60_000;
let checkov: Promise<Record<string, CheckovResult>> | undefined;
function checkovResults(): Promise<Record<string, CheckovResult>> {
  checkov ??= (async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-"));
    for (const stack of ["kind", "prod"] as const) {
      fs.writeFileSync(file(stack), toManifest((await rendered(stack)).objects));
    }
    fs.writeFileSync(file("bad"), toManifest([knownBad()]));
    return runCheckov(tools.checkov(), ["kind", "prod", "bad"].map(file));
  })();
  return checkov;
}
afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

function knownBad(): KubeObject {
  const bad = exampleDeployment({ name: "bad" }) as KubeObject & Record<string, any>;
  const container = bad.spec.template.spec.containers[0];
  container.image = "quay.io/prometheus/prometheus:latest";
  container.securityContext = { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0 };
  delete container.resources;
  bad.spec.template.spec.hostNetwork = true;
  return bad;
}

test(
  "both stacks pass every Checkov check but the documented skips, and every skip is still needed",
  async () => {
    const results = await checkovResults();
    const failures: CheckovFailure[] = [];
    for (const stack of ["kind", "prod"]) {
      const result = results[file(stack)];
      expect(result.passed).toBeGreaterThan(500);
      expect(unexplainedFailures(result.failed, checkovSkips())).toEqual([]);
      failures.push(...result.failed);
    }
    expect(staleSkips(failures, checkovSkips())).toEqual([]);
  },
  CHECKOV_TEST_BOUND_MS,
);

test("every skip names its check and gives a one-line reason", () => {
  const skips = checkovSkips();
  expect(new Set(skips.map((s) => s.check)).size).toBe(skips.length);
  for (const skip of skips) {
    expect(skip.check).toMatch(/^CKV_K8S_\d+$/);
    expect(skip.reason.length).toBeGreaterThan(30);
    expect(skip.reason).not.toContain("\n");
  }
});

test(
  "self-test: a known-bad manifest fails, so the check cannot silently pass",
  async () => {
    const results = await checkovResults();
    const unexplained = unexplainedFailures(results[file("bad")].failed, checkovSkips());
    for (const expected of ["CKV_K8S_16", "CKV_K8S_14", "CKV_K8S_20", "CKV_K8S_13", "CKV_K8S_19"]) {
      expect(unexplained).toContainEqual(
        expect.stringMatching(new RegExp(`^${expected} Deployment\\.observability\\.bad$`)),
      );
    }
  },
  CHECKOV_TEST_BOUND_MS,
);

test("a Checkov run that hangs is stopped at its bound and reported with how long it ran and what it printed", async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-hang-"));
  try {
    const hanging = path.join(scratch, "checkov");
    fs.writeFileSync(hanging, '#!/bin/sh\necho "Loading checks" >&2\nexec sleep 60\n', { mode: 0o755 });
    await expect(runCheckov(hanging, [path.join(scratch, "any.yaml")], 1000)).rejects.toThrow(
      /^Checkov did not finish in \d+ s and was stopped; its output ended: Loading checks$/,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
