/** The positive whole number after `name` in `args`, else `fallback`. */
export function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number, got ${args[index + 1]}`);
  }
  return value;
}
