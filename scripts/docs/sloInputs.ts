// The figures docs/extending.md gives of SLO files written for other tools: the error a file with
// five problems gets, what the corpus of others' OpenSLO documents holds and translates to, and
// how many of the Sloth corpus' specs the stack takes.
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config";
import { parseStackConfig } from "../../config/load";
import { openSloSlos } from "../../config/slo/openSlo";
import { SloDocument, documentsOf } from "../../config/slo/sloDocuments";
import { PROJECT_ROOT } from "../../render/renderStack";
import { EVERY_WINDOW_RETENTION } from "../../config/metrics/evaluatorReach";

export const FIVE_PROBLEMS_FILE = "tests/unit/slo/openslo/five-problems.yaml";
export const OPENSLO_CORPUS_DIR = "tests/unit/slo/openslo/corpus";
export const SLOTH_CORPUS_DIR = "tests/unit/slo/sloth";

/** The message a stack whose one OpenSLO file has five problems fails with. */
export function fiveProblemsError(): string {
  try {
    parseStackConfig(
      { metrics: { retentionTime: EVERY_WINDOW_RETENTION, openSloFiles: [FIVE_PROBLEMS_FILE] } },
      new Set(),
    );
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`${FIVE_PROBLEMS_FILE} is accepted: it no longer shows the error of a file with problems`);
}

/** Every document of the corpus' files, each file read as metrics.openSloFiles would list it. */
function corpusDocuments(): SloDocument[] {
  const dir = path.join(PROJECT_ROOT, OPENSLO_CORPUS_DIR);
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((name, file) => {
      const found = documentsOf(file, name, fs.readFileSync(path.join(dir, name), "utf8"));
      if ("problem" in found) throw new Error(`${OPENSLO_CORPUS_DIR}/${name}: ${found.problem}`);
      return found;
    });
}

/** How many of the Sloth corpus' files there are, and how many the stack takes (each read as metrics.slothFiles would list it). */
function slothCorpus(): { files: number; taken: number } {
  const names = fs.readdirSync(path.join(PROJECT_ROOT, SLOTH_CORPUS_DIR));
  const taken = names.filter((name) => {
    try {
      parseStackConfig(
        {
          metrics: { retentionTime: EVERY_WINDOW_RETENTION, slothFiles: [path.join(SLOTH_CORPUS_DIR, name)] },
        },
        new Set(),
      );
      return true;
    } catch (error) {
      if (error instanceof ConfigError) return false;
      throw error;
    }
  });
  return { files: names.length, taken: taken.length };
}

export function sloInputFigures(): Record<string, string> {
  const documents = corpusDocuments();
  const kind = (doc: SloDocument) => (doc.value as { kind?: unknown }).kind;
  const sloth = slothCorpus();
  return {
    slothCorpusFiles: String(sloth.files),
    slothCorpusTaken: String(sloth.taken),
    "openslo-five-problems": ["```text", fiveProblemsError(), "```"].join("\n"),
    opensloCorpusFiles: String(new Set(documents.map((d) => d.file)).size),
    opensloCorpusDocuments: String(documents.length),
    opensloCorpusSlos: String(documents.filter((d) => kind(d) === "SLO").length),
    opensloCorpusTranslated: String(openSloSlos(documents).slos.length),
  };
}
