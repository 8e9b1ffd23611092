import { isIPv4, isIPv6 } from "net";

/** The address's bits, most significant first: 32 for IPv4, 128 for IPv6. */
function addressBits(address: string): string {
  if (isIPv4(address)) {
    return address
      .split(".")
      .map((octet) => Number(octet).toString(2).padStart(8, "0"))
      .join("");
  }
  const [head, tail = ""] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const given = address.includes("::") ? [groups(head), groups(tail)] : [groups(address), []];
  const missing = 8 - given[0].length - given[1].length;
  return [...given[0], ...Array<string>(missing).fill("0"), ...given[1]]
    .map((group) => parseInt(group, 16).toString(2).padStart(16, "0"))
    .join("");
}

/**
 * Why `value` is not a network as a NetworkPolicy's ipBlock takes it, or undefined: an IPv4 or IPv6
 * address, a prefix length within its size, and no bit set past the prefix (10.0.0.0/16, not
 * 10.0.1.0/16, which the API server would read as the same network and warn about).
 */
export function cidrProblem(value: string): string | undefined {
  const [address, prefix, extra] = value.split("/");
  const example = "a CIDR such as 10.0.0.0/16";
  const size = isIPv4(address) ? 32 : isIPv6(address) && !address.includes(".") ? 128 : undefined;
  if (size === undefined || prefix === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefix)) {
    return `must be ${example}`;
  }
  const length = Number(prefix);
  if (length > size) {
    return `must be ${example}: an IPv${size === 32 ? 4 : 6} prefix is at most /${size}`;
  }
  if (addressBits(address).slice(length).includes("1")) {
    return `must be ${example} with no address bit set past the prefix (/${length})`;
  }
  return undefined;
}
