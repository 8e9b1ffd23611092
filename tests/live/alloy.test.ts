// Alloy cannot be built here (the module proxy serves no Alloy release matching the image), so the
// generated configuration is checked with Alloy's own parser and evaluator, the
// github.com/grafana/alloy/syntax module (tools/alloy-syntax): every file must parse, declare the
// pipeline the logs stack means, and every regular expression in it must compile with Go's RE2,
// as Alloy compiles them at run time (the same expressions are used in JavaScript by Grafana).
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { STACKS, rendered } from "../renderedStacks";
import { configMapData } from "../support/rendered";
import { tools } from "../support/tools";

const run = promisify(execFile);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "alloy-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function parse(name: string, text: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return run(tools.alloySyntax(), [file]).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (error: { stderr: string }) => ({ ok: false, output: error.stderr }),
  );
}

test.each(STACKS)(
  "%s: the generated Alloy configuration parses, and its regular expressions compile in RE2",
  async (stack) => {
    const text = configMapData((await rendered(stack)).objects, "alloy-config")["config.alloy"];
    const { ok, output } = await parse(`${stack}.alloy`, text);
    expect({ ok, output }).toMatchObject({ ok: true });
    const lines = output
      .trim()
      .split("\n")
      .map((line) => line.split(": ")[1]);
    const regexCount = Number(/^(\d+) regular expressions$/.exec(lines[lines.length - 1])?.[1]);
    // The trace, span and two level expressions, the two health-check drops, and relabel rules.
    expect(regexCount).toBeGreaterThanOrEqual(6);
    const blocks = lines.slice(0, -1);
    expect(blocks).toEqual(
      expect.arrayContaining([
        "discovery.kubernetes pods",
        "discovery.relabel pods",
        "loki.process pods",
        "loki.write default",
      ]),
    );
    expect(blocks).toContainEqual(expect.stringMatching(/^loki\.source\.(kubernetes|file) pods$/));
  },
);

test("self-test: an expression RE2 cannot compile is rejected", async () => {
  const { ok, output } = await parse(
    "lookbehind.alloy",
    'loki.process "x" {\n  forward_to = []\n  stage.regex {\n    expression = "(?<=a)b"\n  }\n}\n',
  );
  expect(ok).toBe(false);
  expect(output).toMatch(/stage\.regex\.expression: error parsing regexp/);
});

test("self-test: a broken configuration is rejected with its position", async () => {
  const { ok, output } = await parse(
    "broken.alloy",
    'loki.write "default" {\n  endpoint {\n    url = \n  }\n}\n',
  );
  expect(ok).toBe(false);
  expect(output).toMatch(/broken\.alloy:4:3: expected expression/);
});
