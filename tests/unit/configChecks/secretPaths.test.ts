import { z } from "zod";
import { SECRET_PATHS } from "../../../config/errors";
import { stackConfigSchema } from "../../../config/schema";

/**
 * The key paths of every credential field of `schema` (a zod `Secret` brand), `*` for any list
 * index or record key, as SECRET_PATHS writes them.
 */
function brandedPaths(schema: z.ZodTypeAny, at: readonly string[] = []): string[][] {
  const def = schema._def as z.ZodTypeDef & Record<string, unknown>;
  if (schema instanceof z.ZodBranded) {
    return [[...at]];
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodTypeAny>).flatMap(([key, field]) =>
      brandedPaths(field, [...at, key]),
    );
  }
  if (schema instanceof z.ZodArray) {
    return brandedPaths(schema.element, [...at, "*"]);
  }
  if (schema instanceof z.ZodRecord) {
    return brandedPaths(schema.valueSchema, [...at, "*"]);
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return brandedPaths(schema.unwrap(), at);
  }
  if (schema instanceof z.ZodDefault) {
    return brandedPaths(schema.removeDefault(), at);
  }
  if (schema instanceof z.ZodEffects) {
    return brandedPaths(schema.innerType(), at);
  }
  if (schema instanceof z.ZodPipeline) {
    return [...brandedPaths(def.in as z.ZodTypeAny, at), ...brandedPaths(def.out as z.ZodTypeAny, at)];
  }
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    return [...(schema.options as Iterable<z.ZodTypeAny>)].flatMap((option) => brandedPaths(option, at));
  }
  if (schema instanceof z.ZodIntersection) {
    return [...brandedPaths(def.left as z.ZodTypeAny, at), ...brandedPaths(def.right as z.ZodTypeAny, at)];
  }
  if (schema instanceof z.ZodLazy) {
    return brandedPaths(schema.schema, at);
  }
  return [];
}

const joined = (paths: readonly (readonly string[])[]) =>
  [...new Set(paths.map((path) => path.join(".")))].sort();

test("every credential field of the schema is on SECRET_PATHS (wrapped as a Pulumi secret, set with --secret, never echoed), and nothing else", () => {
  const branded = joined(brandedPaths(stackConfigSchema));
  expect(branded.length).toBeGreaterThanOrEqual(SECRET_PATHS.length);
  expect(branded).toEqual(joined(SECRET_PATHS));
});

test("the walk finds a credential wherever the schema can put one: lists, records, unions, optionals, effects", () => {
  const secret = z.string().brand<"Secret">();
  const schema = z
    .object({
      a: z.array(z.object({ b: secret.optional() })),
      c: z.record(z.union([z.object({ d: secret }), z.string()])),
      e: z.object({ f: secret.default("x" as z.infer<typeof secret>) }).transform((v) => v),
      g: z.string(),
    })
    .refine(() => true);
  expect(joined(brandedPaths(schema))).toEqual(["a.*.b", "c.*.d", "e.f"]);
});
