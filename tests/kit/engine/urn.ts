/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` → `<type>`. */
export function resourceType(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** `urn:pulumi:<stack>::<project>::<types>::<name>` → `<name>`. */
export function resourceName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}
