/** The Pulumi stacks committed as `Pulumi.<stack>.yaml`. */
export const STACKS = ["kind", "prod"] as const;
export type StackName = (typeof STACKS)[number];
