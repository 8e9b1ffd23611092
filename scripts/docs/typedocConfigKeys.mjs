// A TypeDoc plugin for docs/api/: the args a program gives for the stack config are typed from the
// zod schema, which carries no doc comments, so each nested key (`metrics.retentionTime`) takes the
// description and profile defaults docs/configuration.md shows for it. apiReference.ts writes them
// to the file CONFIG_KEYS_FILE names, as configKeys() reads them off the schema and the defaults.
import * as fs from "fs";
import { Comment, CommentTag, Converter, ReflectionKind, ReflectionType } from "typedoc";

/** @param {{ key: string, description: string, defaults: { kind: string, eks: string } }} row */
function commentOf(row) {
  const { kind, eks } = row.defaults;
  const shown =
    kind === eks ? kind : `kind: ${kind === "" ? "unset" : kind}; eks: ${eks === "" ? "unset" : eks}`;
  const comment = new Comment(row.description === "" ? [] : [{ kind: "text", text: row.description }]);
  if (shown !== "") {
    comment.blockTags.push(new CommentTag("@default", [{ kind: "text", text: shown }]));
  }
  return comment;
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  const file = process.env.CONFIG_KEYS_FILE;
  if (file === undefined) return;
  /** @type {Map<string, { key: string, description: string, defaults: { kind: string, eks: string } }>} */
  const rows = new Map(JSON.parse(fs.readFileSync(file, "utf8")).map((row) => [row.key, row]));

  /** @param {import("typedoc").DeclarationReflection} property @param {string} key */
  const describe = (property, key) => {
    const type = property.type;
    if (!(type instanceof ReflectionType)) return;
    for (const child of type.declaration.children ?? []) {
      const childKey = `${key}.${child.name}`;
      const row = rows.get(childKey);
      if (row !== undefined && child.comment === undefined) {
        child.comment = commentOf(row);
      }
      describe(child, childKey);
    }
  };

  // A component's args extend PlatformArgs: the platform sections are described once, on its page,
  // which each component's page links as what it extends, instead of again on all five.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const args of context.project.getReflectionsByKind(ReflectionKind.Interface)) {
      if (!args.name.endsWith("Args")) continue;
      for (const section of [...(args.children ?? [])]) {
        if (section.inheritedFrom?.name.startsWith("PlatformArgs.")) {
          context.project.removeReflection(section);
        } else {
          describe(section, section.name);
        }
      }
    }
  });
}
