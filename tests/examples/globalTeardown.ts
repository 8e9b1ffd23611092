import * as fs from "fs";
import { tierPackage } from "./packedPackage";

/** Removes the tarball and every program the tier installed. */
export default function globalTeardown(): void {
  fs.rmSync(tierPackage().scratch, { recursive: true, force: true });
}
