/** The content fields of a ConfigMap or Secret. */
const CONTENT_FIELDS = ["data", "binaryData", "stringData"];

const isEmptyMap = (value: unknown) =>
  value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * An object's fields as the API server keeps them, where that differs from what a program sends: a
 * ConfigMap's or Secret's empty content map is no map at all (the server stores neither, and the
 * Kubernetes provider finds nothing to change between the two).
 */
export function storedForm<T extends Readonly<Record<string, unknown>>>(
  kind: string | undefined,
  fields: T,
): T {
  if (kind !== "ConfigMap" && kind !== "Secret") {
    return fields;
  }
  return Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => !(CONTENT_FIELDS.includes(key) && isEmptyMap(value))),
  ) as T;
}
