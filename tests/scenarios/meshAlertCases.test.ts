// The alerts mesh.istio adds, each fired and kept silent under the real promtool, with the rules the
// kind stack renders with the mesh on.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RuleFile } from "../../components/common/prometheusTypes";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";
import { MESH_ALERT_CASES } from "../unit/metrics/meshRuleCases";
import { promtoolTestFiles } from "../unit/metrics/ruleUnitTests";
import { renderedMesh } from "../support/meshStack";

const run = promisify(execFile);

test("each mesh alert fires on its firing cases and stays silent on its silent one, and each has both", async () => {
  const meshRules = yaml.load(
    configMapData((await renderedMesh("kind")).objects, "prometheus-rules")["mesh.yaml"],
  ) as RuleFile;
  const alerts = meshRules.groups.flatMap((g) => g.rules).flatMap((r) => ("alert" in r ? [r.alert] : []));
  for (const alert of alerts) {
    const cases = MESH_ALERT_CASES.filter((c) => c.alert === alert);
    expect(
      `${alert}: ${cases.some((c) => c.fires !== undefined)} ${cases.some((c) => c.fires === undefined)}`,
    ).toBe(`${alert}: true true`);
  }
  expect(new Set(MESH_ALERT_CASES.map((c) => c.alert))).toEqual(new Set(alerts));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-rule-tests-"));
  try {
    const { ruleFiles, testFiles } = promtoolTestFiles({ "mesh.yaml": meshRules }, MESH_ALERT_CASES);
    const write = ([file, content]: [string, object]) => {
      fs.writeFileSync(path.join(dir, file), yaml.dump(content, { skipInvalid: true }));
      return path.join(dir, file);
    };
    Object.entries(ruleFiles).forEach(write);
    // The healthy-cluster hours have no sidecars: they belong to the stack without the mesh (alertCases.test.ts).
    const caseFiles = Object.entries(testFiles)
      .filter(([file]) => file.startsWith("tests-"))
      .map(write);
    expect(caseFiles).toHaveLength(alerts.length);
    const result = await run(tools.promtool(), ["test", "rules", ...caseFiles]).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(result.stderr).toBe("");
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(caseFiles.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120000);
