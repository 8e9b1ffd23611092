// The bad-input suite: for each config section, the mistakes users make in a committed stack file,
// each refused with one line that names the key and says what is allowed, and the ordinary edits,
// each accepted. Everything runs in-process: the schema, then the checks the program runs on the
// validated config before it registers anything (rule files, dashboards, job names, decrypted secrets).
import { ConfigError, StackConfig } from "../../../config";
import { checkStackConfig, parsePulumiConfig } from "../../../config/load";
import { COMPONENT_CONFIG_CHECKS } from "../../../components/stackConfig";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { BAD_MUTATIONS, GOOD_MUTATIONS, Mutation, removeTeamFiles } from "../../support/configMutations";

async function problemsOf(mutation: Mutation): Promise<readonly string[]> {
  const { config, secretKeys } = readStackFile(mutation.stack, PROJECT_ROOT);
  let parsed: StackConfig;
  try {
    parsed = parsePulumiConfig(mutation.edit(config), [...secretKeys, ...(mutation.secretKeys ?? [])]);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  // A first deployment: no volumes to compare with.
  return checkStackConfig(
    parsed,
    COMPONENT_CONFIG_CHECKS.map((check) => (config: StackConfig) => check(config, PROJECT_ROOT)),
    undefined,
  ).then(
    () => [],
    (error: unknown) => {
      if (error instanceof ConfigError) {
        return error.problems;
      }
      throw error;
    },
  );
}

const counts = new Map<string, { rejected: number; bad: number; accepted: number; good: number }>();
const count = (section: string) => {
  const entry = counts.get(section) ?? { rejected: 0, bad: 0, accepted: 0, good: 0 };
  counts.set(section, entry);
  return entry;
};

afterAll(removeTeamFiles);

describe("a mistake is refused with one line naming the key and what is allowed", () => {
  test.each(BAD_MUTATIONS.map((m) => [`${m.section}: ${m.title}`, m] as const))("%s", async (_, mutation) => {
    count(mutation.section).bad++;
    const problems = await problemsOf(mutation);
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain("\n");
    expect(problems[0].startsWith(`${mutation.key} `)).toBe(true);
    expect(problems[0]).toContain(mutation.allowed);
    if (mutation.hidden !== undefined) {
      expect(problems[0]).not.toContain(mutation.hidden);
    }
    count(mutation.section).rejected++;
  });
});

describe("an ordinary edit is accepted", () => {
  test.each(GOOD_MUTATIONS.map((m) => [`${m.section}: ${m.title}`, m] as const))(
    "%s",
    async (_, mutation) => {
      count(mutation.section).good++;
      expect(await problemsOf(mutation)).toEqual([]);
      count(mutation.section).accepted++;
    },
  );
});

test("every section has mistakes refused and edits accepted (the counts)", () => {
  const table = [...counts.entries()].map(
    ([section, c]) =>
      `${section.padEnd(11)} bad rejected ${c.rejected}/${c.bad}, good accepted ${c.accepted}/${c.good}`,
  );
  process.stdout.write(`bad-input suite by section:\n${table.join("\n")}\n`);
  for (const [section, c] of counts) {
    expect({ section, ...c }).toEqual({
      section,
      rejected: c.bad,
      bad: c.bad,
      accepted: c.good,
      good: c.good,
    });
    expect({ section, bad: c.bad > 0, good: c.good > 0 }).toEqual({ section, bad: true, good: true });
  }
});
