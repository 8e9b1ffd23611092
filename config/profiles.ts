/** The defaults a stack starts from: a laptop kind cluster or EKS. */
export const PROFILES = ["kind", "eks"] as const;
export type Profile = (typeof PROFILES)[number];
