// The licence gate on planted Go modules (a tool module whose `replace` lines point at local
// folders: no network): an AGPL module, an AGPL folder inside an otherwise Apache module (split by
// a LICENSING.md, as Loki's is, and by a nearer licence file), a module without a licence, and
// Apache, MIT and BSD ones, each classified by the real licensecheck (tools/licensecheck) through
// `go list -deps`. Then the exceptions: one lets a refused module through, one that lets nothing
// through fails the gate.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { licenceClassifier } from "../../../scripts/licences/classifier";
import { LicenceException, readExceptions } from "../../../scripts/licences/exceptions";
import { Licensed, licenceVerdict } from "../../../scripts/licences/gate";
import { GoPackage, goPackageLicences } from "../../../scripts/licences/goPackages";
import { tools } from "../../kit/tools";

const TEXTS = path.join(__dirname, "texts");
const text = (licence: string) => fs.readFileSync(path.join(TEXTS, `${licence}.txt`), "utf8");

/** A module of the fixture: its folders, each with Go files and any other files it holds. */
interface PlantedModule {
  readonly path: string;
  readonly files: Readonly<Record<string, string>>;
}

const goFile = (pkg: string, imports: readonly string[] = []) =>
  `package ${pkg}\n\n${imports.map((i) => `import _ "${i}"\n`).join("")}`;

const MODULES: readonly PlantedModule[] = [
  { path: "example.com/agpl", files: { LICENSE: text("AGPL-3.0"), "agpl.go": goFile("agpl") } },
  {
    // Apache-2.0 at its root; `restricted/` under the AGPL by its LICENSING.md, `nested/copyleft`
    // by a licence file of its own, `api/` Apache by the root licence.
    path: "example.com/split",
    files: {
      LICENSE: text("Apache-2.0"),
      "LICENSING.md":
        "# Licensing\n\nThe default license for this project is Apache-2.0.\n\n## AGPL-3.0-only\n\nThe following folders and their subfolders are licensed under AGPL-3.0-only:\n\n```\nrestricted/\n```\n",
      "api/api.go": goFile("api"),
      "restricted/inner/inner.go": goFile("inner"),
      "nested/copyleft/LICENSE": text("AGPL-3.0"),
      "nested/copyleft/copyleft.go": goFile("copyleft"),
    },
  },
  { path: "example.com/unlicensed", files: { "unlicensed.go": goFile("unlicensed") } },
  { path: "example.com/apache", files: { LICENSE: text("Apache-2.0"), "apache.go": goFile("apache") } },
  { path: "example.com/mit", files: { "LICENSE.md": text("MIT"), "mit.go": goFile("mit") } },
  { path: "example.com/bsd", files: { COPYING: text("BSD-3-Clause"), "bsd.go": goFile("bsd") } },
];

const IMPORTS = [
  "example.com/agpl",
  "example.com/split/api",
  "example.com/split/restricted/inner",
  "example.com/split/nested/copyleft",
  "example.com/unlicensed",
  "example.com/apache",
  "example.com/mit",
  "example.com/bsd",
];

const EXCEPTION_REASON = "to be removed: the fixture's planted module";

describe("the licence gate on planted Go modules", () => {
  let dir: string;
  let packages: GoPackage[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "licence-gate-"));
    const write = (file: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    };
    for (const module of MODULES) {
      const folder = module.path.replace("example.com/", "modules/");
      write(`${folder}/go.mod`, `module ${module.path}\n\ngo 1.22\n`);
      for (const [file, content] of Object.entries(module.files)) write(`${folder}/${file}`, content);
    }
    // The tool's own module sits in a repository whose root licence is the project's (Apache-2.0).
    write("LICENSE", text("Apache-2.0"));
    write(
      "tool/go.mod",
      [
        "module example.com/tool",
        "",
        "go 1.22",
        "",
        ...MODULES.map((m) => `require ${m.path} v0.0.0`),
        ...MODULES.map((m) => `replace ${m.path} => ../${m.path.replace("example.com/", "modules/")}`),
        "",
      ].join("\n"),
    );
    write("tool/main.go", `${goFile("main", IMPORTS)}\nfunc main() {}\n`);
    packages = goPackageLicences(
      {
        dir: path.join(dir, "tool"),
        pattern: ".",
        tags: "",
        env: { GOPROXY: "off", GOFLAGS: "-mod=mod" },
        ownRoot: dir,
      },
      licenceClassifier(tools.licensecheck()),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const licenceOf = (importPath: string) => packages.find((p) => p.importPath === importPath);

  test("each linked package has the licence of its nearest licence file or LICENSING.md folder", () => {
    expect(
      Object.fromEntries(
        [...IMPORTS, "example.com/tool"].map((i) => [
          i,
          { licence: licenceOf(i)?.licence, source: licenceOf(i)?.source },
        ]),
      ),
    ).toEqual({
      "example.com/agpl": { licence: "AGPL-3.0", source: "LICENSE" },
      "example.com/split/api": { licence: "Apache-2.0", source: "LICENSE" },
      "example.com/split/restricted/inner": { licence: "AGPL-3.0-only", source: "LICENSING.md: restricted/" },
      "example.com/split/nested/copyleft": { licence: "AGPL-3.0", source: "nested/copyleft/LICENSE" },
      "example.com/unlicensed": { licence: "", source: "none" },
      "example.com/apache": { licence: "Apache-2.0", source: "LICENSE" },
      "example.com/mit": { licence: "MIT", source: "LICENSE.md" },
      "example.com/bsd": { licence: "BSD-3-Clause", source: "COPYING" },
      "example.com/tool": { licence: "Apache-2.0", source: "LICENSE" },
    });
    // Go's standard library, linked into every tool, under Go's BSD licence.
    expect(packages.filter((p) => p.module === "std").map((p) => p.licence)).toContain("BSD-3-Clause");
  });

  const asItems = (list: readonly GoPackage[]): Licensed[] =>
    list.map((p) => ({
      ecosystem: "go",
      tool: "tool",
      name: p.module,
      item: p.importPath,
      licence: p.licence,
    }));

  test("the gate refuses the AGPL module, both AGPL folders of the Apache module and the unlicensed one, and nothing else", () => {
    const { problems } = licenceVerdict(asItems(packages), []);
    expect(problems).toEqual([
      "go tool tool: example.com/agpl: example.com/agpl is under the AGPL (licence: AGPL-3.0)",
      "go tool tool: example.com/split: example.com/split/nested/copyleft is under the AGPL (licence: AGPL-3.0)",
      "go tool tool: example.com/split: example.com/split/restricted/inner is under the AGPL (licence: AGPL-3.0-only)",
      "go tool tool: example.com/unlicensed: example.com/unlicensed is under no licence at all (licence: none found)",
    ]);
  });

  test("the Apache, MIT and BSD modules alone pass", () => {
    const allowed = packages.filter((p) =>
      ["example.com/apache", "example.com/mit", "example.com/bsd", "std", "example.com/tool"].includes(
        p.module,
      ),
    );
    expect(allowed.length).toBeGreaterThan(4);
    expect(licenceVerdict(asItems(allowed), []).problems).toEqual([]);
  });

  test("an exception lets its module through, and fails the gate once nothing it names is refused", () => {
    const exception = (name: string): LicenceException => ({
      ecosystem: "go",
      tool: "tool",
      name,
      reason: EXCEPTION_REASON,
    });
    const needed = [
      exception("example.com/agpl"),
      exception("example.com/split"),
      exception("example.com/unlicensed"),
    ];
    const verdict = licenceVerdict(asItems(packages), needed);
    expect(verdict.problems).toEqual([]);
    expect(verdict.used.get(needed[1])?.map((i) => i.item)).toEqual([
      "example.com/split/nested/copyleft",
      "example.com/split/restricted/inner",
    ]);
    // The AGPL module is gone from the tool: its exception is no longer needed.
    const without = asItems(packages.filter((p) => p.module !== "example.com/agpl"));
    expect(licenceVerdict(without, needed).problems).toEqual([
      "licences/exceptions.json: the exception for go tool tool: example.com/agpl is no longer needed (nothing it names is refused): delete it",
    ]);
    // An exception for another tool does not let this one's module through.
    expect(
      licenceVerdict(asItems(packages), [{ ...needed[0], tool: "other" }, ...needed.slice(1)]).problems,
    ).toEqual([
      "go tool tool: example.com/agpl: example.com/agpl is under the AGPL (licence: AGPL-3.0)",
      "licences/exceptions.json: the exception for go tool other: example.com/agpl is no longer needed (nothing it names is refused): delete it",
    ]);
  });
});

test("an exceptions file with a wrong key or value is refused, naming the key and what it allows", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "licence-exceptions-")), "exceptions.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      exceptions: [
        { ecosystem: "cargo", name: "x", reason: "r" },
        { ecosystem: "go", name: "y", why: "r" },
      ],
    }),
  );
  expect(() => readExceptions(file)).toThrow(
    [
      `${file}: exceptions[0].ecosystem must be one of go, npm, pypi`,
      `${file}: exceptions[1].reason is required`,
      `${file}: exceptions[1] has unknown key why (allowed: ecosystem, tool, name, reason)`,
    ].join("\n"),
  );
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
