// The tarball the tier's global setup packs once, handed to the test files through the environment.
import { PackedPackage } from "../kit/consumerProgram";

const VARIABLE = "OBSERVABILITY_PACKED_PACKAGE";

/** The packed package and the scratch directory the tier installs programs into, as the global setup left them. */
export interface TierPackage extends PackedPackage {
  readonly scratch: string;
}

export function shareTierPackage(tierPackage: TierPackage): void {
  process.env[VARIABLE] = JSON.stringify(tierPackage);
}

export function tierPackage(): TierPackage {
  const shared = process.env[VARIABLE];
  if (shared === undefined) {
    throw new Error(`${VARIABLE} is not set: run the tier through jest (npm run test:examples)`);
  }
  return JSON.parse(shared) as TierPackage;
}
