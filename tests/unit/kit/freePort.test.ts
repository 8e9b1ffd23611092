// The ports the tests hand to the servers they start: below the kernel's ephemeral range (which
// bind(0) and outgoing connections draw from, so no other process is handed them), never one
// another lane or process holds.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { freePort } from "../../kit/processes";

const ephemeralLow = () =>
  Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);

test("ports lie below the ephemeral range, and no two handed out are the same", async () => {
  const ports = await Promise.all(Array.from({ length: 300 }, () => freePort()));
  expect(new Set(ports).size).toBe(ports.length);
  expect(ports.filter((p) => p < 1024 || p >= ephemeralLow())).toEqual([]);
});

test("another process's ports are never handed out here", async () => {
  // A second process draws ports as another lane would, holding them until it exits.
  const script = `const { freePort } = require(${JSON.stringify(require.resolve("../../kit/processes"))});
    Promise.all(Array.from({ length: 300 }, () => freePort())).then((p) => console.log(JSON.stringify(p)));`;
  const theirs: number[] = JSON.parse(
    execFileSync("node", ["-r", "sucrase/register/ts", "-e", script], { encoding: "utf8" }),
  ) as number[];
  const ours = await Promise.all(Array.from({ length: 300 }, () => freePort()));
  // Drawn at random from some 12,000 ports, 300 and 300 would share several without reservations.
  expect(ours.filter((p) => theirs.includes(p))).toEqual([]);
});
