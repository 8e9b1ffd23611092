// The package's Pulumi schema, read from the TypeScript types of the components' args and
// properties by the compiler's own type checker: the same declarations the API reference is made
// from, so the schema cannot say what the classes do not take. Mapped and generic types (the
// sections' ArgsOf) are expanded as the checker resolves them; each object type becomes a named
// schema type, named after its declaration or, for an anonymous one, the path that reaches it.
import * as path from "path";
import ts from "typescript";
import { isSecretPath } from "../config/errors";
import { GO_SDK_MODULE, PACKAGE_NAME, SERVED_COMPONENTS, ServedComponent } from "./components";
import type { ObjectTypeSpec, PackageSchema, PropertySpec, ResourceSpec, TypeSpec } from "./schemaTypes";

const ANY: TypeSpec = { $ref: "pulumi.json#/Any" };
/** Pulumi's wrappers of a value: a property of one of these types is the value's type. */
const WRAPPERS = new Set(["Output", "OutputInstance", "Promise", "Input"]);

/** The schema types found so far: name → spec, and each anonymous type's structure → its name. */
class TypeTable {
  readonly specs = new Map<string, ObjectTypeSpec>();
  private readonly named = new Map<ts.Type, string>();
  private readonly byShape = new Map<string, string>();

  /** Registers `spec` for `type`; a structure seen before under another path keeps its first name. */
  add(type: ts.Type, wanted: string, build: () => ObjectTypeSpec): string {
    const existing = this.named.get(type);
    if (existing !== undefined) return existing;
    let name = wanted;
    for (let n = 2; this.specs.has(name) || this.reserved.has(name); n++) name = `${wanted}${n}`;
    this.named.set(type, name);
    this.reserved.add(name);
    const spec = build();
    const shape = JSON.stringify(spec);
    const same = this.byShape.get(shape);
    if (same !== undefined) {
      this.named.set(type, same);
      this.reserved.delete(name);
      return same;
    }
    this.byShape.set(shape, name);
    this.specs.set(name, spec);
    return name;
  }

  private readonly reserved = new Set<string>();
}

/** `basic_auth` → `BasicAuth`. */
const pascal = (word: string): string =>
  word
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

/**
 * Where a type is met: the name its schema type takes when its declaration gives none, and its key
 * path in the stack config (ANY_ITEM for any item of a list or map), which says whether it is a secret.
 */
interface Site {
  readonly name: string;
  readonly path: readonly (string | number)[];
  /** It is a section of the stack config or below one, so its path is a key the config documents. */
  readonly inConfig?: boolean;
}

/**
 * What docs/configuration.md says of a key of the stack config: its description, and both profiles'
 * defaults in one line (`7d`, or `kind: 7d; eks: 15d`; empty for neither).
 */
export interface KeyDoc {
  readonly key: string;
  readonly description: string;
  readonly shownDefault: string;
}

/** The key a site's path names in docs/configuration.md: `apps.services[].name`, `resources.<name>.limits`. */
function keysOf(path: readonly (string | number)[]): string[] {
  return ["[]", ".<key>", ".<name>"].map((item) =>
    path.map((part, i) => (part === ANY_ITEM ? item : `${i === 0 ? "" : "."}${part}`)).join(""),
  );
}

/**
 * Any item of a list or map in a Site's path: an index, which SECRET_PATHS' `*` matches (a `"*"`
 * there would match no secret below a list, and the schema would mark none of them secret).
 */
const ANY_ITEM = 0;

/** The type alias by which a component's args take a section of the stack config. */
const SECTION_ARGS = "SectionArgs";

/** The section a type node names (`SectionArgs<"metrics">`: `metrics`), if it names one. */
function sectionArgsOf(node: ts.TypeNode | ts.ExpressionWithTypeArguments | undefined): string | undefined {
  const name = node === undefined ? undefined : ts.isTypeReferenceNode(node) ? node.typeName : undefined;
  if (node === undefined || name === undefined || name.getText() !== SECTION_ARGS) return undefined;
  const [section] = (node as ts.TypeReferenceNode).typeArguments ?? [];
  return section !== undefined && ts.isLiteralTypeNode(section) && ts.isStringLiteral(section.literal)
    ? section.literal.text
    : undefined;
}

/** `<Section>Section` for a property that takes a section of the stack config (`SectionArgs<"metrics">`). */
function sectionName(property: ts.Symbol): string | undefined {
  const declaration = property.valueDeclaration;
  const section = sectionArgsOf(
    declaration !== undefined && ts.isPropertySignature(declaration) ? declaration.type : undefined,
  );
  return section === undefined ? undefined : `${pascal(section)}Section`;
}

/** Whether a type picks its keys from a section (`DemoSwitch extends Pick<SectionArgs<"demo">, "enabled">`). */
function picksFromSection(type: ts.Type): boolean {
  return (type.getSymbol()?.declarations ?? []).some(
    (declaration) =>
      ts.isInterfaceDeclaration(declaration) &&
      (declaration.heritageClauses ?? []).some((clause) =>
        clause.types.some(
          (picked) =>
            picked.expression.getText() === "Pick" && sectionArgsOf(picked.typeArguments?.[0]) !== undefined,
        ),
      ),
  );
}

class SchemaReader {
  readonly types = new TypeTable();
  /** Properties whose type the schema cannot carry (functions, resources), each with its reason. */
  readonly unsupported: string[] = [];

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly keyDocs: ReadonlyMap<string, KeyDoc>,
  ) {}

  /** A config key's description and defaults, as docs/configuration.md gives them. */
  private keyDoc(path: readonly (string | number)[]): string | undefined {
    const doc = keysOf(path)
      .map((key) => this.keyDocs.get(key))
      .find((found) => found !== undefined);
    if (doc === undefined) return undefined;
    const parts = [doc.description, doc.shownDefault === "" ? "" : `Default: ${doc.shownDefault}`].filter(
      (p) => p !== "",
    );
    return parts.length === 0 ? undefined : parts.join("\n\n");
  }

  /** The documentation of a declaration, with its `@default`. */
  description(symbol: ts.Symbol): string | undefined {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim();
    const defaults = symbol
      .getJsDocTags(this.checker)
      .filter((tag) => tag.name === "default")
      .map((tag) => ts.displayPartsToString(tag.text).trim());
    const parts = [text, ...defaults.map((d) => `Default: ${d}`)].filter((p) => p !== "");
    return parts.length === 0 ? undefined : parts.join("\n\n");
  }

  /** The value types a union of Inputs stands for: wrappers unwrapped, undefined and null dropped. */
  private values(type: ts.Type): ts.Type[] {
    const members = type.isUnion() ? type.types : [type];
    const out: ts.Type[] = [];
    for (const member of members) {
      if (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) continue;
      const symbol = member.getSymbol() ?? member.aliasSymbol;
      if (symbol !== undefined && WRAPPERS.has(symbol.getName())) {
        const [inner] = this.checker
          .getTypeArguments(member as ts.TypeReference)
          .concat(member.aliasTypeArguments ?? []);
        if (inner !== undefined) out.push(...this.values(inner));
        continue;
      }
      if (!out.includes(member)) out.push(member);
    }
    return out;
  }

  /** The schema of `type`, met at `site`; undefined for a type the schema cannot carry. */
  spec(type: ts.Type, site: Site): TypeSpec | undefined {
    const values = this.values(type);
    if (values.length === 0) return ANY;
    const primitives = new Set<string>();
    const others: ts.Type[] = [];
    for (const value of values) {
      const primitive = this.primitive(value);
      if (primitive !== undefined) primitives.add(primitive);
      else others.push(value);
    }
    const specs: TypeSpec[] = [...primitives].sort().map((p) => ({ type: p as TypeSpec["type"] }));
    for (const other of others) {
      const spec = this.nonPrimitive(other, site);
      if (spec === undefined) return undefined;
      if (!specs.some((s) => JSON.stringify(s) === JSON.stringify(spec))) specs.push(spec);
    }
    return specs.length === 1 ? specs[0] : { oneOf: specs };
  }

  /**
   * The texts a union of string literals allows (`"kind" | "eks"`), itself or as a list's items:
   * said in the property's description. The schema types them as strings, not enums: Pulumi YAML
   * cannot give an enum a component outputs (a peer's) to another component's input of the same
   * enum, and the component checks the value with its own grammar anyway.
   */
  allowed(type: ts.Type): string[] {
    const values = this.values(type).flatMap((v) =>
      this.checker.isArrayType(v)
        ? this.values(this.checker.getTypeArguments(v as ts.TypeReference)[0])
        : [v],
    );
    const literals = values.filter((v): v is ts.StringLiteralType => v.isStringLiteral());
    const text = values.some((v) => !v.isStringLiteral() && this.primitive(v) === "string");
    return text ? [] : literals.map((l) => l.value).sort();
  }

  private primitive(type: ts.Type): string | undefined {
    if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.TemplateLiteral)) return "string";
    if (type.flags & ts.TypeFlags.NumberLike) return "number";
    if (type.flags & ts.TypeFlags.BooleanLike) return "boolean";
    return undefined;
  }

  private nonPrimitive(type: ts.Type, site: Site): TypeSpec | undefined {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return ANY;
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) {
      const element = { ...site, name: site.name.replace(/s$/, ""), path: [...site.path, ANY_ITEM] };
      const elements = this.checker
        .getTypeArguments(type as ts.TypeReference)
        .map((e) => this.spec(e, element));
      if (elements.some((e) => e === undefined)) return undefined;
      const distinct = [...new Map(elements.map((e) => [JSON.stringify(e), e as TypeSpec])).values()];
      return { type: "array", items: distinct.length === 1 ? distinct[0] : { oneOf: distinct } };
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return undefined;
    const properties = this.checker.getPropertiesOfType(type).filter((p) => !p.getName().startsWith("__@"));
    const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (properties.length === 0 && index !== undefined) {
      const additionalProperties = this.spec(index.type, {
        ...site,
        name: `${site.name}Value`,
        path: [...site.path, ANY_ITEM],
      });
      return additionalProperties === undefined ? undefined : { type: "object", additionalProperties };
    }
    if (properties.some((p) => p.getName() === "urn" || p.getName() === "__pulumiResource")) return undefined;
    if (properties.length === 0) return ANY;
    const declared = this.declaredName(type);
    const name = this.types.add(type, declared ?? site.name, () =>
      this.objectSpec(type, { ...site, name: declared ?? site.name }),
    );
    return { $ref: `#/types/${PACKAGE_NAME}:index:${name}` };
  }

  /** The name a type's declaration gives it: an interface's or an alias', never an anonymous one's. */
  private declaredName(type: ts.Type): string | undefined {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const name = symbol?.getName();
    return name === undefined || name.startsWith("__") || type.aliasTypeArguments !== undefined
      ? undefined
      : name;
  }

  /** An object type's properties; each required one is in `required`. */
  objectSpec(type: ts.Type, site: Site): ObjectTypeSpec {
    const { properties, required } = this.propertiesOf(type, site);
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const description =
      symbol === undefined || this.declaredName(type) === undefined ? undefined : this.description(symbol);
    return {
      type: "object",
      ...(description === undefined ? {} : { description }),
      properties,
      ...(required.length === 0 ? {} : { required }),
    };
  }

  propertiesOf(
    type: ts.Type,
    site: Site,
    keep: (symbol: ts.Symbol) => boolean = () => true,
  ): { properties: Record<string, PropertySpec>; required: string[] } {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    const symbols = this.checker
      .getPropertiesOfType(type)
      .filter((p) => !p.getName().startsWith("__@") && keep(p))
      .sort((a, b) => a.getName().localeCompare(b.getName()));
    for (const symbol of symbols) {
      const propertyType = this.checker.getTypeOfSymbol(symbol);
      const at: Site = {
        name: sectionName(symbol) ?? `${site.name}${pascal(symbol.getName())}`,
        path: [...site.path, symbol.getName()],
        inConfig:
          site.inConfig === true ||
          sectionName(symbol) !== undefined ||
          this.values(propertyType).some(picksFromSection),
      };
      const spec = this.spec(propertyType, at);
      if (spec === undefined) {
        this.unsupported.push(`${site.name}.${symbol.getName()}: ${this.checker.typeToString(propertyType)}`);
        continue;
      }
      const allowed = this.allowed(propertyType);
      const description = [
        this.description(symbol) ?? (at.inConfig === true ? this.keyDoc(at.path) : undefined),
        allowed.length === 0 ? undefined : `One of ${allowed.map((a) => `\`${a}\``).join(", ")}.`,
      ]
        .filter((part) => part !== undefined)
        .join("\n\n");
      properties[symbol.getName()] = {
        ...spec,
        ...(description === "" ? {} : { description }),
        ...(isSecretPath(at.path) ? { secret: true } : {}),
      };
      const takesUndefined =
        propertyType.isUnion() && propertyType.types.some((t) => t.flags & ts.TypeFlags.Undefined);
      if (!(symbol.flags & ts.SymbolFlags.Optional) && !takesUndefined) required.push(symbol.getName());
    }
    return { properties, required };
  }
}

/** The class a served component is, from the package's entry point. */
function componentClass(checker: ts.TypeChecker, entry: ts.SourceFile, served: ServedComponent): ts.Symbol {
  const module = checker.getSymbolAtLocation(entry);
  const symbol =
    module === undefined
      ? undefined
      : checker.getExportsOfModule(module).find((s) => s.getName() === served.className);
  if (symbol === undefined) throw new Error(`lib.ts exports no ${served.className}`);
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The properties every ComponentResource has, which the schema leaves to the engine. */
const RESOURCE_PROPERTIES = new Set(["urn"]);

function resourceSpec(
  reader: SchemaReader,
  checker: ts.TypeChecker,
  classSymbol: ts.Symbol,
  served: ServedComponent,
): ResourceSpec {
  const declaration = classSymbol.valueDeclaration;
  if (declaration === undefined || !ts.isClassDeclaration(declaration))
    throw new Error(`${served.className} is not a class`);
  const constructor = declaration.members.find(ts.isConstructorDeclaration);
  const argsParameter = constructor?.parameters[1];
  if (argsParameter === undefined) throw new Error(`${served.className}'s constructor takes no args`);
  const argsType = checker.getTypeAtLocation(argsParameter);
  const inputs = reader.propertiesOf(argsType, { name: served.className, path: [] });
  const instance = checker.getDeclaredTypeOfSymbol(classSymbol);
  // Its own public properties: those declared in the class, not those of ComponentResource.
  const own = (symbol: ts.Symbol): boolean =>
    !RESOURCE_PROPERTIES.has(symbol.getName()) &&
    (symbol.declarations ?? []).some(
      (d) =>
        d.parent === declaration &&
        !((ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0),
    );
  const outputs = reader.propertiesOf(instance, { name: served.className, path: ["(outputs)"] }, own);
  const description = reader.description(classSymbol);
  return {
    isComponent: true,
    ...(description === undefined ? {} : { description }),
    inputProperties: inputs.properties,
    ...(inputs.required.length === 0 ? {} : { requiredInputs: inputs.required }),
    properties: outputs.properties,
    required: outputs.required,
  };
}

export interface SchemaReading {
  readonly schema: PackageSchema;
  /** `Type.property: type` of each property the schema cannot carry, left out of it. */
  readonly unsupported: readonly string[];
}

/** The package schema of the components that `entryPoint` exports, read with `tsconfig`'s options. */
export function readSchema(
  root: string,
  version: string,
  keyDocs: readonly KeyDoc[],
  entryPoint = "lib.ts",
): SchemaReading {
  const configFile = ts.readConfigFile(path.join(root, "tsconfig.json"), (file) => ts.sys.readFile(file));
  const options = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root).options;
  const program = ts.createProgram([path.join(root, entryPoint)], { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(path.join(root, entryPoint));
  if (entry === undefined) throw new Error(`no ${entryPoint} in ${root}`);
  const reader = new SchemaReader(checker, new Map(keyDocs.map((doc) => [doc.key, doc])));
  const resources: Record<string, ResourceSpec> = {};
  for (const served of SERVED_COMPONENTS) {
    resources[`${PACKAGE_NAME}:index:${served.className}`] = resourceSpec(
      reader,
      checker,
      componentClass(checker, entry, served),
      served,
    );
  }
  const types = Object.fromEntries(
    [...reader.types.specs]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, spec]) => [`${PACKAGE_NAME}:index:${name}`, spec]),
  );
  return {
    schema: {
      name: PACKAGE_NAME,
      displayName: "Observability stack",
      version,
      description:
        "MetricsStack, LogsStack, TracingStack and GrafanaStack: Prometheus, Alertmanager, Loki, Alloy, the OpenTelemetry Collector, Tempo and Grafana as Pulumi components",
      license: "Apache-2.0",
      keywords: ["pulumi", "kubernetes", "observability", "category/monitoring", "kind/component"],
      meta: { moduleFormat: "(.*)" },
      language: LANGUAGE_OPTIONS,
      config: {},
      provider: { type: "object" },
      types,
      resources,
    },
    unsupported: reader.unsupported,
  };
}

/** What each language's SDK is called and depends on. */
const LANGUAGE_OPTIONS = {
  python: {
    packageName: "observability_stack",
    requires: { pulumi: ">=3.248.0,<4.0.0", "pulumi-kubernetes": ">=4.34.2,<5.0.0" },
    respectSchemaVersion: true,
    pyproject: { enabled: true },
  },
  go: {
    importBasePath: `${GO_SDK_MODULE}/${PACKAGE_NAME}`,
    generateResourceContainerTypes: true,
    respectSchemaVersion: true,
  },
  csharp: {
    rootNamespace: "ObservabilityStack",
    packageReferences: { Pulumi: "3.*", "Pulumi.Kubernetes": "4.*" },
    respectSchemaVersion: true,
  },
  nodejs: { packageName: "@observability-stack/pulumi" },
};
