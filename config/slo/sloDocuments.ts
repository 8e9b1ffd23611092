import * as yaml from "js-yaml";
import { z } from "zod";
import { fileSource, readConfigFile } from "../projectFiles";
import { SloSpec, sloSpec } from "./sloSpec";

// SLO documents teams bring in files written for other tools (OpenSLO, Sloth): read from the files a
// config key lists, every problem of every document placed by file, document and field, and the SLOs
// they translate to checked by the schema of metrics.slos, its problems placed where the document
// states the value.

/** One YAML document of a file: a `---` document, or an item of a document that is a list. */
export interface SloDocument {
  /** The file's index in the key's list. */
  readonly file: number;
  /** The file as the config names it: its path, or the name of content given directly. */
  readonly label: string;
  /** `document 2`, or `document 1 item 3` for the third object of a list. */
  readonly position: string;
  readonly value: unknown;
}

/** A problem of a file's content, already naming the file, document and field. */
export interface DocumentProblem {
  readonly file: number;
  readonly message: string;
}

/** An SLO translated from a document of a file. */
export interface TranslatedSlo {
  readonly file: number;
  readonly slo: SloSpec;
}

/** Where problems of a document are said to be: `(slos.yaml) document 2 (checkout):`. */
export function documentPlace(doc: SloDocument, name: string | undefined): string {
  return `(${doc.label}) ${doc.position}${name === undefined ? "" : ` (${name})`}:`;
}

/** A field path inside a document: `spec.objectives[0].op`. */
export function fieldPath(at: readonly (string | number)[]): string {
  return at.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** A zod issue of a document's schema in words, each unknown key on its own: `spec.x is not an OpenSLO v1 field`. */
export function issueProblems(issue: z.ZodIssue, unknownKey: string, prefix = ""): string[] {
  const at = (path: readonly (string | number)[]) => {
    const text = fieldPath(path);
    return prefix === "" ? text : text === "" ? prefix : `${prefix}${text.startsWith("[") ? "" : "."}${text}`;
  };
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${at([...issue.path, key])} ${unknownKey}`);
  }
  const what =
    issue.code === "invalid_type" && issue.received === "undefined"
      ? "is required"
      : issue.code === "invalid_type" && issue.message.startsWith("Expected")
        ? `must be ${issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}`
        : issue.code === "invalid_enum_value"
          ? `must be one of ${issue.options.join(", ")} (got ${JSON.stringify(issue.received)})`
          : issue.message;
  const where = at(issue.path);
  return [where === "" ? `the document ${what}` : `${where} ${what}`];
}

/** The documents of one file's text, or why it is no YAML. */
export function documentsOf(file: number, label: string, text: string): SloDocument[] | { problem: string } {
  let loaded: unknown[];
  try {
    // YAML 1.2's core types, as Go's decoders read them: an unquoted date stays text.
    loaded = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    return { problem: `(${label}) must be valid YAML: ${(error as yaml.YAMLException).reason}` };
  }
  return loaded.flatMap((value, d): SloDocument[] => {
    if (value === null || value === undefined) {
      return [];
    }
    return Array.isArray(value)
      ? value.map((item, i) => ({
          file,
          label,
          position: `document ${d + 1} item ${i + 1}`,
          value: item as unknown,
        }))
      : [{ file, label, position: `document ${d + 1}`, value }];
  });
}

/**
 * Where a document states each key of the metrics.slos entry it becomes: pairs of the entry's path
 * (`indicator.errors`) and the document's words for it
 * (`spec.indicator.spec.ratioMetric.bad.metricSource.spec.query`). The longest matching path wins.
 */
export type FieldPlaces = readonly (readonly [entryPath: string, documentPath: string])[];

/**
 * The metrics.slos entry `candidate` is, or the engine's problems with it, each placed where the
 * document states the value and phrased as the engine phrases it.
 */
export function engineChecked(
  candidate: unknown,
  places: FieldPlaces,
  place: string,
): { slo: SloSpec } | { problems: string[] } {
  const parsed = sloSpec.safeParse(candidate);
  if (parsed.success) {
    return { slo: parsed.data };
  }
  const problems = parsed.error.issues.flatMap((issue) =>
    issueProblems(issue, "is not a field of metrics.slos").map((problem) => {
      const match = places
        .filter(
          ([entry]) =>
            problem === entry ||
            problem.startsWith(`${entry} `) ||
            problem.startsWith(`${entry}.`) ||
            problem.startsWith(`${entry}[`),
        )
        .sort((a, b) => b[0].length - a[0].length)[0];
      return match === undefined
        ? `${place} as metrics.slos, ${problem}`
        : `${place} ${match[1]}${problem.slice(match[0].length)}`;
    }),
  );
  return { problems: [...new Set(problems)] };
}

/**
 * A list of files (paths from the project root, or names and contents) of SLO documents in a format
 * `translate` reads; becomes, per file, the SLOs they translate to. Every problem of every file is
 * an issue on the file's entry, naming document and field itself; the SLOs of documents without
 * problems are kept, so that the checks across keys still run over them.
 */
export const sloDocumentFiles = (
  translate: (documents: readonly SloDocument[]) => {
    slos: readonly TranslatedSlo[];
    problems: readonly DocumentProblem[];
  },
) =>
  z.array(fileSource).transform((sources, ctx): SloSpec[][] => {
    const documents: SloDocument[] = [];
    sources.forEach((source, file) => {
      const read = readConfigFile(source, "file");
      if ("problem" in read) {
        ctx.addIssue({ code: "custom", path: [file], message: read.problem });
        return;
      }
      const found = documentsOf(file, read.label, read.text);
      if ("problem" in found) {
        ctx.addIssue({ code: "custom", path: [file], message: found.problem, params: { insideFile: true } });
        return;
      }
      documents.push(...found);
    });
    const { slos, problems } = translate(documents);
    for (const { file, message } of problems) {
      ctx.addIssue({ code: "custom", path: [file], message, params: { insideFile: true } });
    }
    return sources.map((_, file) => slos.filter((s) => s.file === file).map((s) => s.slo));
  });
