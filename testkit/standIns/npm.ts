// `npm` for the one call scripts/up.sh makes of it, `npm run -s verify -- kind`: it prints what the
// test put in the state as verify's output and exits with verify's code. verify itself is run end
// to end against a real API server (tests/cluster/verify.test.ts) and its checks against the real
// servers (tests/components/verify.test.ts).
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
unmodelled("npm", args);
