// A stand-in for the Pulumi random provider (`pulumi-resource-random`), which the Go module proxy
// refuses: the engine tier runs it as that plugin. It implements what the program uses,
// `random:index/randomPassword:RandomPassword`, as the provider documents it (it bridges
// Terraform's `random_password`): the character classes and their minimums, `overrideSpecial`,
// `length` at least 1 and at least the sum of the minimums, every input (`keepers` included)
// forcing a replacement, the ID `none`, and `result` and `bcryptHash` outputs the SDK marks secret.
import * as bcrypt from "bcryptjs";
import { randomInt } from "crypto";
import * as provider from "@pulumi/pulumi/provider";
import { resourceType } from "./urn";

const PASSWORD = "random:index/randomPassword:RandomPassword";

const CLASSES = {
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  lower: "abcdefghijklmnopqrstuvwxyz",
  numeric: "0123456789",
  special: "!@#$%&*()-_=+[]{}<>:?",
} as const;
type CharacterClass = keyof typeof CLASSES;
const MINIMUM = {
  upper: "minUpper",
  lower: "minLower",
  numeric: "minNumeric",
  special: "minSpecial",
} as const;

/** The inputs with the documented defaults applied. */
interface PasswordInputs {
  readonly length: number;
  readonly upper: boolean;
  readonly lower: boolean;
  readonly numeric: boolean;
  readonly special: boolean;
  readonly minUpper: number;
  readonly minLower: number;
  readonly minNumeric: number;
  readonly minSpecial: number;
  readonly overrideSpecial?: string;
  readonly keepers?: Record<string, unknown>;
}

type Inputs = Record<string, unknown>;

function withDefaults(news: Inputs): PasswordInputs {
  const numeric = (news.numeric ?? news.number ?? true) as boolean;
  return {
    ...news,
    length: news.length as number,
    upper: (news.upper ?? true) as boolean,
    lower: (news.lower ?? true) as boolean,
    numeric,
    special: (news.special ?? true) as boolean,
    minUpper: (news.minUpper ?? 0) as number,
    minLower: (news.minLower ?? 0) as number,
    minNumeric: (news.minNumeric ?? 0) as number,
    minSpecial: (news.minSpecial ?? 0) as number,
  };
}

function failures(inputs: PasswordInputs): provider.CheckFailure[] {
  const found: provider.CheckFailure[] = [];
  const minimums = Object.values(MINIMUM).reduce((sum, key) => sum + inputs[key], 0);
  if (!Number.isInteger(inputs.length) || inputs.length < 1) {
    found.push({ property: "length", reason: `length must be at least 1, got ${String(inputs.length)}` });
  } else if (inputs.length < minimums) {
    found.push({
      property: "length",
      reason: `length must be at least the sum of minUpper, minLower, minNumeric and minSpecial (${minimums}), got ${inputs.length}`,
    });
  }
  if (!inputs.upper && !inputs.lower && !inputs.numeric && !inputs.special) {
    found.push({
      property: "upper",
      reason: "at least one of upper, lower, numeric and special must be true",
    });
  }
  return found;
}

function characters(inputs: PasswordInputs, cls: CharacterClass): string {
  return cls === "special" && (inputs.overrideSpecial ?? "") !== ""
    ? (inputs.overrideSpecial as string)
    : CLASSES[cls];
}

/** Each class's minimum first (whether or not the class is on, as the provider does), the rest from every class that is on, shuffled. */
function generate(inputs: PasswordInputs): string {
  const pick = (set: string, count: number) =>
    Array.from({ length: count }, () => [...set][randomInt([...set].length)]);
  const classes = Object.keys(CLASSES) as CharacterClass[];
  const chosen = classes.flatMap((cls) => pick(characters(inputs, cls), inputs[MINIMUM[cls]]));
  const pool = classes
    .filter((cls) => inputs[cls])
    .map((cls) => characters(inputs, cls))
    .join("");
  chosen.push(...pick(pool, inputs.length - chosen.length));
  for (let i = chosen.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  }
  return chosen.join("");
}

const INPUT_KEYS = [
  "keepers",
  "length",
  "lower",
  "minLower",
  "minNumeric",
  "minSpecial",
  "minUpper",
  "number",
  "numeric",
  "overrideSpecial",
  "special",
  "upper",
] as const;

const randomProvider: provider.Provider = {
  version: "0.0.0-standin",

  check(urn, _olds, news: Inputs) {
    if (resourceType(urn) !== PASSWORD) {
      return Promise.resolve({
        failures: [{ property: "", reason: `the random stand-in implements only ${PASSWORD}` }],
      });
    }
    const inputs = withDefaults(news);
    return Promise.resolve({ inputs, failures: failures(inputs) });
  },

  diff(_id, _urn, olds: Inputs, news: Inputs) {
    const replaces = INPUT_KEYS.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    return Promise.resolve({ changes: replaces.length > 0, replaces, deleteBeforeReplace: false });
  },

  async create(_urn, news: Inputs) {
    const inputs = withDefaults(news);
    const result = generate(inputs);
    return { id: "none", outs: { ...inputs, result, bcryptHash: await bcrypt.hash(result, 10) } };
  },

  read(id, _urn, props) {
    return Promise.resolve({ id, props });
  },

  delete() {
    // Nothing exists outside the state.
    return Promise.resolve();
  },
};

void provider.main(randomProvider, process.argv.slice(2));
