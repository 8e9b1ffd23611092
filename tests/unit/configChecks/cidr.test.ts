// The networks a NetworkPolicy's ipBlock takes: what config/cidr.ts accepts and why it refuses.
import { cidrProblem } from "../../../config/cidr";

test.each([
  "10.0.0.0/16",
  "10.0.16.0/20",
  "0.0.0.0/0",
  "192.168.1.7/32",
  "2001:db8::/32",
  "fd00:ab::/64",
  "::/0",
])("%s is a network", (cidr) => {
  expect(cidrProblem(cidr)).toBeUndefined();
});

test.each([
  ["10.0.0.0", "must be a CIDR such as 10.0.0.0/16"],
  ["10.0.0.0/", "must be a CIDR such as 10.0.0.0/16"],
  ["10.0.0/16", "must be a CIDR such as 10.0.0.0/16"],
  ["10.0.0.0/16/1", "must be a CIDR such as 10.0.0.0/16"],
  ["::ffff:10.0.0.0/104", "must be a CIDR such as 10.0.0.0/16"],
  ["10.0.0.0/33", "must be a CIDR such as 10.0.0.0/16: an IPv4 prefix is at most /32"],
  ["2001:db8::/129", "must be a CIDR such as 10.0.0.0/16: an IPv6 prefix is at most /128"],
  ["10.0.1.0/16", "must be a CIDR such as 10.0.0.0/16 with no address bit set past the prefix (/16)"],
  ["2001:db8::1/64", "must be a CIDR such as 10.0.0.0/16 with no address bit set past the prefix (/64)"],
  ["2001:db8:0:1::/48", "must be a CIDR such as 10.0.0.0/16 with no address bit set past the prefix (/48)"],
])("%s is refused: %s", (cidr, problem) => {
  expect(cidrProblem(cidr)).toBe(problem);
});
