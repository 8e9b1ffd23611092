// Pulumi's package schema, as much of it as the package writes (provider/schemaOf.ts) and reads
// (the provider, the docs): https://www.pulumi.com/docs/iac/guides/building-extending/packages/schema/
/** A property or element type as Pulumi's package schema writes it. */
export interface TypeSpec {
  readonly type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  readonly $ref?: string;
  readonly items?: TypeSpec;
  readonly additionalProperties?: TypeSpec;
  readonly oneOf?: readonly TypeSpec[];
}

export interface PropertySpec extends TypeSpec {
  readonly description?: string;
  readonly secret?: boolean;
}

export interface ObjectTypeSpec {
  readonly type: "object";
  readonly description?: string;
  readonly properties: Readonly<Record<string, PropertySpec>>;
  readonly required?: readonly string[];
}

export interface ResourceSpec {
  readonly isComponent: true;
  readonly description?: string;
  readonly inputProperties: Readonly<Record<string, PropertySpec>>;
  readonly requiredInputs?: readonly string[];
  readonly properties: Readonly<Record<string, PropertySpec>>;
  readonly required: readonly string[];
}

export interface PackageSchema {
  readonly name: string;
  readonly displayName: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly repository?: string;
  readonly keywords: readonly string[];
  readonly meta: { readonly moduleFormat: string };
  readonly language: Readonly<Record<string, unknown>>;
  readonly config: Record<string, never>;
  readonly provider: { readonly type: "object" };
  readonly types: Readonly<Record<string, ObjectTypeSpec>>;
  readonly resources: Readonly<Record<string, ResourceSpec>>;
}
