// `npm` for the one call scripts/up.sh makes of it, `npm run -s verify -- kind`: it prints what the
// test put in the state as verify's output and exits with verify's code. verify itself is run end
// to end against a real API server (tests/cluster/verify.test.ts) and its checks against the real
// servers (tests/servers/verify.test.ts). And for the review workflow's call,
// `npm run -s review -- ... --out <file> [--accept <subject>]...`: it writes the review the test put
// in the state and exits as review does, 1 while a risk it names is not accepted (review itself is
// run in tests/scenarios/reviewCli.test.ts).
import * as fs from "fs";
import * as path from "path";
import { STATE, record, unmodelled } from "./machine";

const args = record("npm");
const verify = path.join(STATE, "verify.json");
if (args.join(" ").startsWith("run -s verify -- ") && fs.existsSync(verify)) {
  const { stdout, code } = JSON.parse(fs.readFileSync(verify, "utf8")) as { stdout: string; code: number };
  process.stdout.write(stdout);
  process.exit(code);
}
const review = path.join(STATE, "review.json");
if (args.join(" ").startsWith("run -s review -- ") && fs.existsSync(review)) {
  const { markdown, risks } = JSON.parse(fs.readFileSync(review, "utf8")) as {
    markdown: string;
    risks: string[];
  };
  const valueOf = (name: string) => args.flatMap((arg, i) => (arg === name ? [args[i + 1]] : []));
  const [out] = valueOf("--out");
  if (out === undefined) {
    process.stdout.write(markdown);
  } else {
    fs.writeFileSync(out, markdown);
  }
  const accepted = valueOf("--accept");
  process.exit(risks.every((risk) => accepted.includes(risk)) ? 0 : 1);
}
unmodelled("npm", args);
