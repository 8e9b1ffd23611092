/** Config as Pulumi hands it to programs: `namespace:key` → text (structured values as JSON). */
export type PulumiConfig = Readonly<Record<string, string>>;
