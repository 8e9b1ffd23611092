import * as fs from "fs";
import { cpuSeconds, rssBytes, summarise } from "../../../scripts/benchLoad/sampler";

test("RSS and CPU time are read from this very process's /proc files", () => {
  const rss = rssBytes(fs.readFileSync("/proc/self/status", "utf8"));
  // Within 1 % of what Node itself reports (the two reads are a few microseconds apart).
  expect(Math.abs(rss - process.memoryUsage.rss()) / rss).toBeLessThan(0.01);
  const cpu = cpuSeconds(fs.readFileSync("/proc/self/stat", "utf8"));
  const { user, system } = process.cpuUsage();
  expect(Math.abs(cpu - (user + system) / 1e6)).toBeLessThan(0.1);
});

test("a command name with spaces and parentheses does not shift the CPU fields", () => {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat =
    "4242 (otelcol (x) y) S 1 4242 4242 0 -1 4194560 9120 0 3 0 1234 566 0 0 20 0 12 0 8812 1020 20";
  expect(cpuSeconds(stat)).toBeCloseTo(18.0);
});

test("steady is the median after warm-up and peak the maximum; warm-up samples count for neither", () => {
  const samples = [
    { at: 1, rss: 900, cpu: 2 },
    { at: 5, rss: 100, cpu: 0.1 },
    { at: 6, rss: 300, cpu: 0.3 },
    { at: 7, rss: 200, cpu: 0.2 },
  ];
  expect(summarise(samples, 5)).toEqual({ steadyRss: 200, peakRss: 300, steadyCpu: 0.2, peakCpu: 0.3 });
});
