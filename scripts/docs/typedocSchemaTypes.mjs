// A TypeDoc plugin for docs/api/: an interface that names a schema's type is declared with a helper
// (`interface AppService extends Identity<z.input<typeof appService>> {}`, `ArgsOf<…>`, `GivenWhole`).
// Its page lists its members as its own, without the helper in its hierarchy or beside each member.
import { Converter, ReflectionKind } from "typedoc";

const HELPERS = new Set(["Identity", "ArgsOf", "GivenWhole"]);

/** @param {import("typedoc").Application} app */
export function load(app) {
  // After TypeDoc's own hierarchy is resolved (a lower priority runs later).
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Interface)) {
        const helpers = (reflection.extendedTypes ?? []).filter((type) => HELPERS.has(type.name));
        if (helpers.length === 0) continue;
        const kept = reflection.extendedTypes.filter((type) => !HELPERS.has(type.name));
        reflection.extendedTypes = kept.length === 0 ? undefined : kept;
        const top = reflection.typeHierarchy;
        if (top !== undefined && top.isTarget !== true) {
          top.types = top.types.filter((type) => !HELPERS.has(type.name));
          // With nothing above it and nothing below, an interface has no hierarchy to show.
          if (top.types.length === 0) {
            reflection.typeHierarchy = top.next?.next === undefined ? undefined : top.next;
          }
        }
        for (const member of reflection.children ?? []) {
          if (member.inheritedFrom !== undefined && HELPERS.has(member.inheritedFrom.name.split(".")[0])) {
            member.inheritedFrom = undefined;
          }
        }
      }
    },
    -100,
  );
}
