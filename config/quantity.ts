const UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity as a number (cores or bytes). */
export function parseQuantity(quantity: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity);
  if (match === null) {
    throw new Error(`not a quantity: ${quantity}`);
  }
  return Number(match[1]) * (match[2] === "" ? 1 : (UNITS[match[2]] ?? NaN));
}
