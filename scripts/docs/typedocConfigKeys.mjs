// A TypeDoc plugin for docs/api/: the args a program gives for the stack config are typed from the
// zod schema, which carries no doc comments, so each key, nested (`metrics.retentionTime`) or picked
// from a section (DemoSwitch's `enabled`: `demo.enabled`), takes the description and profile
// defaults docs/configuration.md shows for it. apiReference.ts writes them to the file
// CONFIG_KEYS_FILE names, as keyDocs() reads them off the schema and the defaults.
import * as fs from "fs";
import {
  Comment,
  CommentTag,
  Converter,
  LiteralType,
  ReferenceType,
  ReflectionKind,
  ReflectionType,
} from "typedoc";

/** @param {{ key: string, description: string, shownDefault: string }} row */
function commentOf(row) {
  const comment = new Comment(row.description === "" ? [] : [{ kind: "text", text: row.description }]);
  if (row.shownDefault !== "") {
    comment.blockTags.push(new CommentTag("@default", [{ kind: "text", text: row.shownDefault }]));
  }
  return comment;
}

/**
 * The stack-config section an interface picks its keys from (`DemoSwitch extends
 * Pick<SectionArgs<"demo">, "enabled">`: `demo`), if it picks from one.
 * @param {import("typedoc").DeclarationReflection} reflection
 */
function pickedSection(reflection) {
  for (const type of reflection.extendedTypes ?? []) {
    const [from] = type instanceof ReferenceType && type.name === "Pick" ? (type.typeArguments ?? []) : [];
    const [section] =
      from instanceof ReferenceType && from.name === "SectionArgs" ? (from.typeArguments ?? []) : [];
    if (section instanceof LiteralType && typeof section.value === "string") return section.value;
  }
  return undefined;
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  const file = process.env.CONFIG_KEYS_FILE;
  if (file === undefined) return;
  /** @type {Map<string, { key: string, description: string, shownDefault: string }>} */
  const rows = new Map(JSON.parse(fs.readFileSync(file, "utf8")).map((row) => [row.key, row]));

  /** @param {import("typedoc").DeclarationReflection} property @param {string} key */
  const describe = (property, key) => {
    const row = rows.get(key);
    if (row !== undefined && property.comment === undefined) {
      property.comment = commentOf(row);
    }
    const type = property.type;
    if (!(type instanceof ReflectionType)) return;
    for (const child of type.declaration.children ?? []) {
      describe(child, `${key}.${child.name}`);
    }
  };

  // A component's args extend PlatformArgs: the platform sections are described once, on its page,
  // which each component's page links as what it extends, instead of again on all five.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const args of context.project.getReflectionsByKind(ReflectionKind.Interface)) {
      const section = pickedSection(args);
      if (section === undefined && !args.name.endsWith("Args")) continue;
      for (const member of [...(args.children ?? [])]) {
        if (member.inheritedFrom?.name.startsWith("PlatformArgs.")) {
          context.project.removeReflection(member);
        } else {
          describe(member, section === undefined ? member.name : `${section}.${member.name}`);
        }
      }
    }
  });
}
