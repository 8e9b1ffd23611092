// `ts-node scripts/cpuLedger.ts <ledger> [<top>]`: the processor time each test file took, as the
// jest environment wrote it where OBSERVABILITY_CPU_LEDGER pointed (tests/support/cpuLedgerEnvironment.js),
// as Markdown: each tier's files summed, then the <top> files that took the most (20 unless given).
// CI prints it after the time per step, and its record keeps it.
import * as fs from "fs";

interface FileCost {
  readonly tier: string;
  readonly file: string;
  readonly processor: number;
  readonly wall: number;
}

function parseLedger(text: string): FileCost[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      const [tier, file, processor, wall] = line.split("\t");
      const cost = { tier, file, processor: Number(processor), wall: Number(wall) };
      if (file === undefined || !Number.isFinite(cost.processor) || !Number.isFinite(cost.wall)) {
        throw new Error(
          `ledger line ${index + 1}: want <tier>\\t<file>\\t<processor s>\\t<wall s>, got "${line}"`,
        );
      }
      return cost;
    });
}

const seconds = (value: number) => Math.round(value).toLocaleString("en");

/** The ledger's files as two Markdown tables: per tier, then the `top` costliest files. */
function ledgerTables(text: string, top: number): string {
  const costs = parseLedger(text);
  const tiers = new Map<string, { files: number; processor: number }>();
  for (const { tier, processor } of costs) {
    const sum = tiers.get(tier) ?? { files: 0, processor: 0 };
    tiers.set(tier, { files: sum.files + 1, processor: sum.processor + processor });
  }
  const byTier = [...tiers].sort(([, a], [, b]) => b.processor - a.processor);
  const total = costs.reduce((sum, c) => sum + c.processor, 0);
  const costliest = [...costs].sort((a, b) => b.processor - a.processor).slice(0, top);
  return [
    "| tier | test files | processor seconds |",
    "| --- | ---: | ---: |",
    ...byTier.map(([tier, sum]) => `| ${tier} | ${sum.files} | ${seconds(sum.processor)} |`),
    `| **all** | **${costs.length}** | **${seconds(total)}** |`,
    "",
    "| test file | tier | processor seconds | wall seconds |",
    "| --- | --- | ---: | ---: |",
    ...costliest.map((c) => `| ${c.file} | ${c.tier} | ${seconds(c.processor)} | ${seconds(c.wall)} |`),
  ].join("\n");
}

if (require.main === module) {
  const [ledger, top = "20"] = process.argv.slice(2);
  if (ledger === undefined || !/^[1-9][0-9]*$/.test(top)) {
    console.error("usage: ts-node scripts/cpuLedger.ts <ledger> [<top>]");
    process.exit(2);
  }
  console.log(ledgerTables(fs.readFileSync(ledger, "utf8"), Number(top)));
}
