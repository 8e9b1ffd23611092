// Alloy's configuration language, written from typed blocks so that no config is assembled in a
// template string. Values are strings, numbers, booleans, lists, objects, or raw expressions
// (references to other components' exports and function calls).

class AlloyExpression {
  constructor(readonly text: string) {}
}

/** A reference or call, written as is: `loki.write.default.receiver`, `sys.env("NODE_NAME")`. */
export function expression(text: string): AlloyExpression {
  return new AlloyExpression(text);
}

type AlloyValue =
  | string
  | number
  | boolean
  | AlloyExpression
  | readonly AlloyValue[]
  | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  /** `loki.write`, `endpoint`, `stage.regex`, ... */
  readonly name: string;
  /** Component label: `loki.write "default"`. */
  readonly label?: string;
  readonly attributes?: Readonly<Record<string, AlloyValue>>;
  readonly blocks?: readonly AlloyBlock[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function renderValue(value: AlloyValue, indent: string): string {
  if (value instanceof AlloyExpression) {
    return value.text;
  }
  if (typeof value === "string") {
    return JSON.stringify(value); // Alloy strings take the same escapes
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly AlloyValue[]).map((v) => renderValue(v, indent)).join(", ")}]`;
  }
  const entries = Object.entries(value as Record<string, AlloyValue>);
  if (entries.length === 0) {
    return "{}";
  }
  const inner = `${indent}  `;
  const lines = entries.map(
    ([key, v]) => `${inner}${IDENTIFIER.test(key) ? key : JSON.stringify(key)} = ${renderValue(v, inner)},`,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function renderBlock(block: AlloyBlock, indent: string): string {
  const header = `${indent}${block.name}${block.label === undefined ? "" : ` ${JSON.stringify(block.label)}`} {`;
  const inner = `${indent}  `;
  const body = [
    ...Object.entries(block.attributes ?? {}).map(
      ([key, value]) => `${inner}${key} = ${renderValue(value, inner)}`,
    ),
    ...(block.blocks ?? []).map((child) => renderBlock(child, inner)),
  ];
  return body.length === 0 ? `${header}}` : `${header}\n${body.join("\n")}\n${indent}}`;
}

/** The configuration file: top-level blocks separated by a blank line. */
export function renderAlloy(blocks: readonly AlloyBlock[]): string {
  return `${blocks.map((b) => renderBlock(b, "")).join("\n\n")}\n`;
}
