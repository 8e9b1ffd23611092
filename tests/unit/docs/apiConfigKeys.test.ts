// The stack config's keys as a program gives them (MetricsStackArgs' `metrics.retentionTime`) carry
// in the API reference the description and the profiles' defaults docs/configuration.md shows: one
// text per key, read off the schema, wherever it is shown.
import * as fs from "fs";
import * as path from "path";
import { stackConfigSchema } from "../../../config/schema";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { configKeys } from "../../../scripts/docs/configReference";

const INTERFACES = path.join(PROJECT_ROOT, "docs", "api", "components", "interfaces");

interface ArgsRow {
  readonly page: string;
  readonly type: string;
  readonly description: string;
}

/** Each property row of the args pages, by its key (`metrics.retentionTime`), as its cells. */
function argsRows(): Map<string, ArgsRow> {
  const rows = new Map<string, ArgsRow>();
  for (const page of fs.readdirSync(INTERFACES).filter((name) => name.endsWith("Args.md"))) {
    for (const line of fs.readFileSync(path.join(INTERFACES, page), "utf8").split("\n")) {
      // | <a id=…></a> `key?` | `readonly` | type | description | …
      const cells = line.split(/(?<!\\) \| /);
      const key = /`([A-Za-z0-9.]+)\??`$/.exec(cells[0] ?? "")?.[1];
      if (key !== undefined && cells.length >= 4 && !rows.has(key)) {
        rows.set(key, { page, type: cells[2], description: cells[3] });
      }
    }
  }
  return rows;
}

/** The cell text of a description as the Markdown table escapes it. */
const escaped = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * Each member row of the pages of args, and of interfaces that pick keys from a section
 * (`DemoSwitch extends Pick<SectionArgs<"demo">, "enabled">`), by the config key it stands for
 * (`demo.enabled`), with its description cell.
 */
function memberRows(): { page: string; key: string; description: string }[] {
  return fs.readdirSync(INTERFACES).flatMap((page) => {
    const text = fs.readFileSync(path.join(INTERFACES, page), "utf8");
    const section = /^- `Pick`\\<\[`SectionArgs`\]\([^)]*\)\\<`"([a-z]+)"`\\>/m.exec(text)?.[1];
    if (section === undefined && !page.endsWith("Args.md")) return [];
    // | <a id=…></a> `key?` | `readonly` | type | … |, the description where the header has it
    const tables = text.split("\n").filter((line) => line.startsWith("| "));
    const cellsOf = (line: string) => line.slice(2, -2).split(/(?<!\\) \| /);
    const header = tables.find((line) => line.startsWith("| Property |")) ?? "";
    const column = cellsOf(header).indexOf("Description");
    return tables.flatMap((line) => {
      const cells = cellsOf(line);
      const name = /^<a id="property-[^"]*"><\/a> `([A-Za-z0-9]+)\??`$/.exec(cells[0])?.[1];
      if (name === undefined) return [];
      const key = section === undefined ? name : `${section}.${name}`;
      return [{ page, key, description: column < 0 ? "" : (cells[column] ?? "") }];
    });
  });
}

test("every nested key of the args is described as docs/configuration.md describes it, with both profiles' defaults", () => {
  const rows = argsRows();
  // Keys inside list elements are documented on their element's page (AppService.md), as are those
  // below a key whose type is a named one (`exposure.ingress.auth`: OidcAuth.md, CognitoAuth.md;
  // `demo`: DemoSwitch.md, the args' own switch).
  const underNamedType = (key: string) => {
    const parts = key.split(".");
    return parts
      .slice(1)
      .some((_, i) => rows.get(parts.slice(0, i + 1).join("."))?.type.includes("](") ?? false);
  };
  const nested = configKeys(stackConfigSchema).filter(
    (k) =>
      k.key.includes(".") && !/[[<]/.test(k.key) && rows.has(k.key.split(".")[0]) && !underNamedType(k.key),
  );
  expect(nested.length).toBeGreaterThan(150);
  const differing = nested.flatMap((k) => {
    const row = rows.get(k.key);
    if (row === undefined) return [`${k.key}: no row in any args page`];
    return [
      ...(k.description !== "" && !row.description.includes(escaped(k.description))
        ? [`${k.key} (${row.page}): described "${row.description}", not "${k.description}"`]
        : []),
      ...[k.defaults.kind, k.defaults.eks]
        .filter((shown) => shown !== "" && !row.description.includes(escaped(shown)))
        .map((shown) => `${k.key} (${row.page}): no default ${shown} in "${row.description}"`),
    ];
  });
  expect(differing).toEqual([]);
  // The platform sections are described on PlatformArgs' page, not again on each page of args that
  // extend it; DemoStack takes a cluster section of its own.
  const pagesWith = (key: string) =>
    fs
      .readdirSync(INTERFACES)
      .filter((page) => page.endsWith("Args.md"))
      .filter((page) => fs.readFileSync(path.join(INTERFACES, page), "utf8").includes(`| \`${key}?\` |`));
  expect(pagesWith("cluster.nodeCidrs")).toEqual(["DemoStackArgs.md", "PlatformArgs.md"]);
  expect(pagesWith("metrics.retentionTime")).toEqual(["MetricsStackArgs.md"]);
});

test("every member of the args that is a key of the stack config shows that key's defaults, and no other", () => {
  const keys = new Map(configKeys(stackConfigSchema).map((k) => [k.key, k]));
  // `profile` picks the defaults rather than having one: the args' is kind (config/validate.ts).
  // KialiStack's `grafana` (the Grafana it links to) and DemoStack's `tracing` (the TracingStack it
  // sends spans to) are named as sections are, and are none.
  const others = ["profile", "KialiStackArgs.md grafana", "DemoStackArgs.md tracing"];
  const members = memberRows().flatMap(({ page, key, description }) => {
    const configKey = keys.get(key);
    return configKey === undefined || others.includes(key) || others.includes(`${page} ${key}`)
      ? []
      : [{ page, key, description, defaults: configKey.defaults }];
  });
  expect(members.length).toBeGreaterThan(40);
  const differing = members.flatMap(({ page, key, description, defaults: { kind, eks } }) => {
    const expected = kind === eks ? kind : `kind: ${kind}; eks: ${eks}`;
    const shown = /\*\*Default\*\* (.*)$/.exec(description)?.[1] ?? "";
    return shown === escaped(expected) ? [] : [`${key} (${page}): default "${shown}", not "${expected}"`];
  });
  expect(differing).toEqual([]);
});
