// Jest's node environment for every tier. When OBSERVABILITY_CPU_LEDGER names a file, each test
// file adds a line to it: its tier, its path, and the processor time its jest process spent from
// the file's set-up to its teardown, with that of the processes it started and reaped (servers,
// CLIs, control planes), and the wall time. The environment's teardown comes after the file's
// own hooks, so what they stop is counted.
const fs = require("fs");
const path = require("path");
const { TestEnvironment } = require("jest-environment-node");

const LEDGER = "OBSERVABILITY_CPU_LEDGER";

/** Seconds of processor time of this process and of the children it has reaped (/proc/self/stat). */
function processorSeconds() {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  // utime, stime, cutime and cstime: fields 14 to 17, counted after the command's closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
  // Clock ticks: USER_HZ, which Linux fixes at 100 a second for what it reports to processes.
  return ticks / 100;
}

class CpuLedgerEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.ledger = process.env[LEDGER];
    this.tier = config.projectConfig.displayName?.name ?? "";
    this.file = path.relative(config.projectConfig.rootDir, context.testPath);
  }

  async setup() {
    this.started = { processor: processorSeconds(), wall: Date.now() };
    await super.setup();
  }

  async teardown() {
    await super.teardown();
    if (this.ledger === undefined || this.started === undefined) return;
    const processor = processorSeconds() - this.started.processor;
    const wall = (Date.now() - this.started.wall) / 1000;
    fs.appendFileSync(
      this.ledger,
      `${this.tier}\t${this.file}\t${processor.toFixed(2)}\t${wall.toFixed(1)}\n`,
    );
  }
}

module.exports = CpuLedgerEnvironment;
