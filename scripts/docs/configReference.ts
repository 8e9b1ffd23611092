// The configuration reference (docs/configuration.md), read off the zod schema and the profile
// defaults, so that neither a key, its constraints nor its defaults can be documented twice.
import { z } from "zod";
import type { KeyDoc } from "../../provider/schemaOf";
import { PROFILE_DEFAULTS, Profile } from "../../config/defaults";
import { isSecretPath } from "../../config/errors";
import { takesOutput } from "../../config/fields";

/** One documented key: `metrics.alerts.errorRatePercent`, `alerting.receivers[].name`. */
interface ConfigKey {
  readonly key: string;
  readonly type: string;
  readonly allowed: string;
  readonly defaults: Readonly<Record<Profile, string>>;
  readonly description: string;
}

type Path = readonly (string | number)[];

/** An object described as Kubernetes' own shape is documented by Kubernetes, not here. */
const UPSTREAM_SHAPE = "Kubernetes' own";

/** Siblings sharing one schema (one per workload, per component) are documented once from this many. */
const GROUP_SIZE = 3;

/** A wrapper's inner schema, and whether it made the key optional. */
function unwrapOnce(schema: z.ZodTypeAny): { inner: z.ZodTypeAny; optional: boolean } | undefined {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return { inner: schema.unwrap() as z.ZodTypeAny, optional: true };
  }
  if (schema instanceof z.ZodDefault) {
    return { inner: schema.removeDefault() as z.ZodTypeAny, optional: true };
  }
  if (schema instanceof z.ZodEffects) {
    return { inner: schema.innerType() as z.ZodTypeAny, optional: false };
  }
  if (schema instanceof z.ZodBranded) {
    return { inner: schema.unwrap() as z.ZodTypeAny, optional: false };
  }
  // A program may give an Output instead; the reference documents the value.
  if (takesOutput(schema)) {
    return { inner: schema.options[0], optional: false };
  }
  return undefined;
}

/** Looks through wrappers; the first description found on the way in is the key's. */
function unwrap(schema: z.ZodTypeAny): {
  core: z.ZodTypeAny;
  optional: boolean;
  description?: string;
  schemaDefault?: unknown;
} {
  let core = schema;
  let optional = false;
  let description = schema.description;
  let schemaDefault: unknown;
  for (let step = unwrapOnce(core); step !== undefined; step = unwrapOnce(core)) {
    if (core instanceof z.ZodDefault) {
      schemaDefault = (core._def as { defaultValue: () => unknown }).defaultValue();
    }
    optional = optional || step.optional;
    core = step.inner;
    description = description ?? core.description;
  }
  return { core, optional, description, schemaDefault };
}

/** The constraints a schema states with messages: "must be a duration such as 30s" → "a duration such as 30s". */
function constraints(schema: z.ZodTypeAny): string {
  const checks =
    (schema._def as { checks?: { kind: string; value?: number; inclusive?: boolean; message?: string }[] })
      .checks ?? [];
  if (schema instanceof z.ZodNumber) {
    const whole = checks.some((c) => c.kind === "int");
    const min = checks.find((c) => c.kind === "min");
    const max = checks.find((c) => c.kind === "max");
    const range =
      min !== undefined && max !== undefined
        ? `${min.inclusive ? "" : "above "}${min.value}–${max.value}`
        : min !== undefined
          ? `${min.inclusive ? "≥" : ">"} ${min.value}`
          : max !== undefined
            ? `≤ ${max.value}`
            : "";
    return [whole ? "whole" : "", range].filter((s) => s !== "").join(", ");
  }
  const said = [...new Set(checks.map((c) => c.message).filter((m): m is string => m !== undefined))];
  return said.map((m) => m.replace(/^must be /, "")).join("; ");
}

function typeOf(core: z.ZodTypeAny): string {
  if (core instanceof z.ZodString) return "string";
  if (core instanceof z.ZodNumber) return "number";
  if (core instanceof z.ZodBoolean) return "boolean";
  if (core instanceof z.ZodEnum || core instanceof z.ZodLiteral) return "enum";
  if (core instanceof z.ZodArray) return `list of ${typeOf(unwrap(core.element as z.ZodTypeAny).core)}`;
  if (core instanceof z.ZodRecord) return `map of ${typeOf(unwrap(core.valueSchema as z.ZodTypeAny).core)}`;
  if (core instanceof z.ZodObject) return "object";
  if (core instanceof z.ZodDiscriminatedUnion || core instanceof z.ZodUnion) return "one of";
  return "value";
}

function allowedOf(core: z.ZodTypeAny): string {
  if (core instanceof z.ZodEnum) return (core.options as string[]).map((o) => `\`${o}\``).join(", ");
  if (core instanceof z.ZodLiteral) return `\`${String(core.value)}\``;
  if (core instanceof z.ZodArray) {
    const element = unwrap(core.element as z.ZodTypeAny).core;
    const min = (core._def as { minLength?: { value: number } }).minLength?.value;
    return [allowedOf(element), min === undefined ? "" : `at least ${min}`]
      .filter((s) => s !== "")
      .join("; ");
  }
  if (core instanceof z.ZodRecord) {
    const keys = constraints(unwrap(core.keySchema as z.ZodTypeAny).core);
    const values = allowedOf(unwrap(core.valueSchema as z.ZodTypeAny).core);
    return [keys === "" ? "" : `keys: ${keys}`, values === "" ? "" : `values: ${values}`]
      .filter((s) => s !== "")
      .join("; ");
  }
  if (core instanceof z.ZodDiscriminatedUnion) {
    const discriminator = (core._def as { discriminator: string }).discriminator;
    const tags = (core.options as z.ZodObject<z.ZodRawShape>[]).map(
      (option) => (option.shape[discriminator] as z.ZodLiteral<string>).value,
    );
    return `${discriminator}: ${tags.map((t) => `\`${t}\``).join(", ")}`;
  }
  if (core instanceof z.ZodUnion) {
    return (core.options as z.ZodTypeAny[]).map((o) => typeOf(unwrap(o).core)).join(" or ");
  }
  return constraints(core);
}

/** The value at a key path of a profile's defaults; `[]` segments look into the first element. */
function valueAt(node: unknown, path: Path): unknown {
  return path.reduce<unknown>((at, segment) => {
    if (Array.isArray(at)) return segment === 0 ? at[0] : undefined;
    return at !== null && typeof at === "object" ? (at as Record<string, unknown>)[segment] : undefined;
  }, node);
}

function shown(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function keyName(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? "[]" : i === 0 ? p : `.${p}`)).join("");
}

/** Keys of an object whose values are one object schema, `GROUP_SIZE` or more of them. */
function sharedSchemaGroups(shape: Record<string, z.ZodTypeAny>): Map<z.ZodTypeAny, string[]> {
  const byCore = new Map<z.ZodTypeAny, string[]>();
  for (const [key, schema] of Object.entries(shape)) {
    const core = unwrap(schema).core;
    if (!(core instanceof z.ZodObject)) {
      continue;
    }
    byCore.set(core, [...(byCore.get(core) ?? []), key]);
  }
  return new Map([...byCore].filter(([, keys]) => keys.length >= GROUP_SIZE));
}

interface Walk {
  readonly path: Path;
  /** Where the defaults are read: the path, or each member's of a group documented once. */
  readonly defaultPaths: readonly { readonly member?: string; readonly path: Path }[];
  readonly groupNote?: string;
}

function walk(schema: z.ZodTypeAny, at: Walk, rows: ConfigKey[]): void {
  const { core, optional, description, schemaDefault } = unwrap(schema);
  const isObject = core instanceof z.ZodObject;
  const isListElement = typeof at.path[at.path.length - 1] === "number";
  // A list's own row says what its elements are; objects' fields get rows of their own.
  if (at.path.length > 0 && !isListElement) {
    const secret = isSecretPath(at.path);
    const perProfile = (profile: Profile): string => {
      if (isObject) {
        return optional ? "unset" : "";
      }
      const values = at.defaultPaths.map(({ member, path }) => ({
        member,
        value: shown(valueAt(PROFILE_DEFAULTS[profile], path)),
      }));
      const distinct = new Set(values.map((v) => v.value));
      const given =
        distinct.size <= 1
          ? (values[0]?.value ?? "")
          : values.map((v) => `${v.member ?? ""}: ${v.value === "" ? "unset" : v.value}`).join(", ");
      return given !== ""
        ? given
        : schemaDefault !== undefined
          ? shown(schemaDefault)
          : optional
            ? "unset"
            : "";
    };
    rows.push({
      key: keyName(at.path),
      type: `${secret ? "secret " : ""}${typeOf(core)}${optional ? ", optional" : ""}`,
      allowed: isObject ? "" : allowedOf(core),
      defaults: { kind: perProfile("kind"), eks: perProfile("eks") },
      description: [description ?? "", at.groupNote ?? ""].filter((s) => s !== "").join(" "),
    });
  }
  const child = (key: string | number, inner: z.ZodTypeAny, note?: string, members?: readonly string[]) =>
    walk(
      inner,
      {
        path: [...at.path, members === undefined ? key : `<${String(key)}>`],
        defaultPaths: at.defaultPaths.flatMap(({ member, path }) =>
          members === undefined
            ? [{ member, path: [...path, key] }]
            : members.map((m) => ({ member: m, path: [...path, m] })),
        ),
        groupNote: note,
      },
      rows,
    );
  if (description?.includes(UPSTREAM_SHAPE) === true) {
    return;
  }
  if (core instanceof z.ZodObject) {
    const shape = core.shape as Record<string, z.ZodTypeAny>;
    const groups = sharedSchemaGroups(shape);
    const grouped = new Set([...groups.values()].flat());
    for (const [key, inner] of Object.entries(shape)) {
      if (!grouped.has(key)) {
        child(key, inner);
      }
    }
    for (const [, members] of groups) {
      child(
        "name",
        shape[members[0]],
        `\`<name>\` is one of ${members.map((m) => `\`${m}\``).join(", ")}.`,
        members,
      );
    }
  } else if (core instanceof z.ZodArray) {
    child(0, core.element as z.ZodTypeAny);
  } else if (
    core instanceof z.ZodRecord &&
    unwrap(core.valueSchema as z.ZodTypeAny).core instanceof z.ZodObject
  ) {
    // A map whose values are objects: their fields under `<key>`, which the map's row describes.
    child("<key>", core.valueSchema as z.ZodTypeAny);
  } else if (core instanceof z.ZodDiscriminatedUnion) {
    const options = [...(core.options as z.ZodObject<z.ZodRawShape>[])];
    const discriminator = (core._def as { discriminator: string }).discriminator;
    for (const option of options) {
      const tag = (option.shape[discriminator] as z.ZodLiteral<string>).value;
      for (const [key, inner] of Object.entries(option.shape as Record<string, z.ZodTypeAny>)) {
        if (key !== discriminator) {
          walk(
            inner,
            {
              path: [...at.path, key],
              defaultPaths: at.defaultPaths.map(({ member, path }) => ({ member, path: [...path, key] })),
              groupNote: `With ${discriminator} \`${tag}\`.`,
            },
            rows,
          );
        }
      }
    }
  }
}

/** Both profiles' defaults in one line: `7d` where they agree, `kind: 7d; eks: 15d` where not. */
function shownDefault({ kind, eks }: ConfigKey["defaults"]): string {
  return kind === eks ? kind : `kind: ${kind === "" ? "unset" : kind}; eks: ${eks === "" ? "unset" : eks}`;
}

/** Every key as the API reference and the package schema describe it (the plugin and readSchema). */
export function keyDocs(schema: z.ZodTypeAny): KeyDoc[] {
  return configKeys(schema).map(({ key, description, defaults }) => ({
    key,
    description,
    shownDefault: shownDefault(defaults),
  }));
}

/** Every key of the schema in schema order, with what the profiles default it to. */
export function configKeys(schema: z.ZodTypeAny): ConfigKey[] {
  const rows: ConfigKey[] = [];
  walk(schema, { path: [], defaultPaths: [{ path: [] }] }, rows);
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** docs/configuration.md. */
export function configReference(schema: z.ZodTypeAny): string {
  const rows = configKeys(schema);
  return [
    "# Configuration reference",
    "",
    "<!-- Generated by `npm run docs` from config/schema.ts and config/defaults.ts; do not edit. -->",
    "",
    "Every key lives under `observability:` in `Pulumi.<stack>.yaml`. A stack file sets only what differs",
    "from its profile (`kind` or `eks`): objects merge key by key, lists and values replace. Unknown keys",
    "are errors. Secret keys must be set with `pulumi config set --secret --path`. `[]` is any element of a",
    'list; `<name>` is any of the names its description lists. "unset" means the key is absent unless',
    "a stack file sets it.",
    "",
    "Besides `observability:`, a stack file may hold the `pulumi:`, `kubernetes:`, `aws:`, `random:` and",
    "`grafana:` namespaces; a key under any other is an error that names the namespace it likely meant.",
    "Regular expressions are RE2, as the Go servers compile them (`(?i)` works, lookarounds and",
    "backreferences do not), and every rule expression is parsed as PromQL or LogQL when the config",
    "loads. Webhook URLs, Slack webhooks and PagerDuty routing keys are checked once Pulumi decrypts",
    "them, before anything deploys; the error names the key, never the value.",
    "",
    "| key | type | allowed | kind | eks | description |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.allowed)} | ${cell(r.defaults.kind)} | ${cell(r.defaults.eks)} | ${cell(r.description)} |`,
    ),
    "",
  ].join("\n");
}
