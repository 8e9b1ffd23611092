// Loki's HTTP query parameters: times as Unix nanoseconds (more than 10 digits), Unix seconds
// (10 digits or fewer, or with a fraction) or RFC 3339; steps as seconds or a duration.

/** A time parameter in Unix nanoseconds, or `fallback` when absent. */
export function timeParameter(value: string | null, fallback: bigint): bigint {
  if (value === null || value === "") {
    return fallback;
  }
  if (/^[0-9]+$/.test(value)) {
    return value.length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value);
  }
  const fraction = /^([0-9]*)\.([0-9]+)$/.exec(value);
  if (fraction !== null) {
    return BigInt(fraction[1] || "0") * 1_000_000_000n + BigInt(fraction[2].slice(0, 9).padEnd(9, "0"));
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new Error(`cannot parse "${value}" to a valid timestamp`);
  }
  return BigInt(parsed) * 1_000_000n;
}

const STEP_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };

/**
 * The step of a range query in milliseconds. Without one, Loki's default: the range over 250
 * points, whole seconds, at least 1 s.
 */
export function stepParameter(value: string | null, startNs: bigint, endNs: bigint): number {
  if (value === null || value === "") {
    return Math.max(Number((endNs - startNs) / 250_000_000_000n), 1) * 1000;
  }
  if (/^[0-9]*\.?[0-9]+$/.test(value)) {
    return Number(value) * 1000;
  }
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(value);
  if (match === null) {
    throw new Error(`cannot parse "${value}" to a valid duration`);
  }
  return Number(match[1]) * STEP_UNITS[match[2]];
}
