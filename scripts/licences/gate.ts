// The licence gate's verdict over everything listed: each refused licence is let through only by an
// exception that names it, and each exception must still let something through.
import { refusedExpression } from "./policy";
import { Ecosystem, LicenceException } from "./exceptions";

/** One listed thing with a licence: a linked Go package, an npm package or a PyPI distribution. */
export interface Licensed {
  readonly ecosystem: Ecosystem;
  /** The Go or PyPI tool it is part of; none for npm packages (the project's own lockfile). */
  readonly tool?: string;
  /** The Go module or the package's name: what an exception names. */
  readonly name: string;
  /** What is listed: the Go package's import path, or name@version. */
  readonly item: string;
  readonly licence: string;
}

export interface Verdict {
  /** What is refused and not excepted, and exceptions no longer needed: the gate fails on any. */
  readonly problems: readonly string[];
  /** Each exception with the items it lets through. */
  readonly used: ReadonlyMap<LicenceException, readonly Licensed[]>;
}

const where = (l: { ecosystem: string; tool?: string; name: string }) =>
  `${l.ecosystem}${l.tool === undefined ? "" : ` tool ${l.tool}`}: ${l.name}`;

export function licenceVerdict(items: readonly Licensed[], exceptions: readonly LicenceException[]): Verdict {
  const used = new Map<LicenceException, Licensed[]>(exceptions.map((e) => [e, []]));
  const problems: string[] = [];
  for (const item of items) {
    const refused = refusedExpression(item.licence);
    if (refused === undefined) continue;
    const excepted = exceptions.find(
      (e) =>
        e.ecosystem === item.ecosystem &&
        e.name === item.name &&
        (e.tool === undefined || e.tool === item.tool),
    );
    if (excepted === undefined) {
      problems.push(
        `${where(item)}: ${item.item} is under ${refused} (licence: ${item.licence || "none found"})`,
      );
    } else {
      used.get(excepted)?.push(item);
    }
  }
  for (const [exception, items_] of used) {
    if (items_.length === 0) {
      problems.push(
        `licences/exceptions.json: the exception for ${where(exception)} is no longer needed (nothing it names is refused): delete it`,
      );
    }
  }
  for (const list of used.values()) list.sort((a, b) => a.item.localeCompare(b.item));
  return { problems: problems.sort(), used };
}
