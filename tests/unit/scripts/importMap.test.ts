import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { importMap } from "../../../scripts/importMap";

describe("the import map", () => {
  test("the program has no import cycle, no import that runs up the layers, and no component imports another's files", () => {
    const map = importMap(PROJECT_ROOT);
    expect(map.cycles).toEqual([]);
    expect(map.upward).toEqual([]);
    expect(map.crossComponent).toEqual([]);
    expect(map.files).toBeGreaterThan(100);
  });

  test("finds a component that imports another's files, by folder or by its resource's file, and lets the shared folders and the composition import any", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "import-map-"));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write("components/common/flow.ts", "export const f = 1;\n");
    write("components/tracing/names.ts", 'import { f } from "../common/flow";\nexport const C = f;\n');
    write("components/grafana/landing.ts", 'import { C } from "../tracing/names";\nexport const l = C;\n');
    write("components/logs/names.ts", "export const L = 1;\n");
    write("components/logsStack.ts", 'import { C } from "./tracing/names";\nexport const s = C;\n');
    write("components/wiring/graph.ts", 'import { C } from "../tracing/names";\nexport const g = C;\n');
    write("components/observabilityStack.ts", 'import { s } from "./logsStack";\nexport const o = s;\n');
    try {
      expect(importMap(root).crossComponent).toEqual([
        "components/grafana/landing.ts → components/tracing/names.ts",
        "components/logsStack.ts → components/tracing/names.ts",
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("finds a cycle and an upward import in a tree that has them", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "import-map-"));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    // The building blocks reach up into the wiring graph, which imports them back.
    write(
      "components/common/policy.ts",
      'import { graph } from "../wiring/graph";\nexport const a = graph;\n',
    );
    write("components/wiring/graph.ts", 'import { a } from "../common/policy";\nexport const graph = a;\n');
    write("components/metrics/names.ts", "export const PORT = 1;\n");
    try {
      const map = importMap(root);
      expect(map.cycles).toEqual([["components/common/policy.ts", "components/wiring/graph.ts"]]);
      expect(map.upward).toEqual([
        "components/common/policy.ts (building blocks) → components/wiring/graph.ts (wiring graph)",
      ]);
      expect(map.folders.get("components/common")).toEqual({ count: 1, largest: "policy.ts", lines: 3 });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("finds folders that import each other, though no file does, and counts each component folder apart", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "import-map-"));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    // metrics/rules.ts → logs/syntax.ts and logs/agent.ts → metrics/types.ts: no cycle of files.
    write("components/metrics/types.ts", "export type T = 1;\n");
    write("components/metrics/rules.ts", 'import { s } from "../logs/syntax";\nexport const r = s;\n');
    write("components/logs/syntax.ts", "export const s = 1;\n");
    write("components/logs/agent.ts", 'import { T } from "../metrics/types";\nexport const a: T = 1;\n');
    // The components import the wiring graph, which imports nothing back; the unit tests of a
    // folder may import tests/support, which imports the files directly in tests/unit/.
    write("components/wiring/graph.ts", "export const g = 1;\n");
    write("components/metrics.ts", 'import { g } from "./wiring/graph";\nexport const m = g;\n');
    write("tests/unit/fixtures.ts", "export const f = 1;\n");
    write("tests/support/edits.ts", 'import { f } from "../unit/fixtures";\nexport const e = f;\n');
    write("tests/unit/metrics/a.test.ts", 'import { e } from "../../support/edits";\nexport const t = e;\n');
    try {
      const map = importMap(root);
      expect(map.cycles).toEqual([]);
      expect(map.twoWay).toEqual(["components/logs ↔ components/metrics"]);
      write("tests/unit/a.test.ts", 'import { e } from "../support/edits";\nexport const t = e;\n');
      expect(importMap(root).twoWay).toEqual([
        "components/logs ↔ components/metrics",
        "tests/support ↔ tests/unit",
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
