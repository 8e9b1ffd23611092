// Measured figures as the docs keep them: a file under docs/measured/ that the bench or test that
// measured them writes, with the command, the machine and the date.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

/** This machine as a measurement names it: cores, CPU model, memory and load average. */
export function machine(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${load}`;
}

/**
 * Writes `text` to docs/measured/`name`.md under `title`, saying which `command` wrote it and when:
 * as printed (`text`, a code block) or as Markdown (a table).
 */
export function writeMeasured(
  name: string,
  title: string,
  command: string,
  text: string,
  format: "text" | "markdown" = "text",
): string {
  const file = path.join(PROJECT_ROOT, "docs", "measured", `${name}.md`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `# ${title}\n\nWritten by \`${command}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC ` +
      `(do not edit by hand).\n\n${format === "text" ? `\`\`\`text\n${text.trim()}\n\`\`\`` : text.trim()}\n`,
  );
  return file;
}

/** The record docs/measured/`name`.md holds now, and when it was written; undefined when there is none. */
export function previousRecord(
  name: string,
): { readonly written: string; readonly text: string } | undefined {
  const file = path.join(PROJECT_ROOT, "docs", "measured", `${name}.md`);
  if (!fs.existsSync(file)) return undefined;
  const content = fs.readFileSync(file, "utf8");
  const written = / on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(content)?.[1] ?? "an undated record";
  return { written, text: /```text\n([\s\S]*)\n```/.exec(content)?.[1] ?? "" };
}
