import * as fs from "fs";
import { SHARED_RENDERS_VARIABLE } from "../support/sharedRenders";

/** Removes the renders the global setup shared. */
export default function globalTeardown(): void {
  const dir = process.env[SHARED_RENDERS_VARIABLE];
  if (dir !== undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
