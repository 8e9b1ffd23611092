import * as path from "path";

/**
 * The project root, where `Pulumi.yaml` is and `pulumi` runs the program: the paths in the stack
 * config (rule files, dashboard folders) are relative to it.
 */
export const PROJECT_ROOT = path.resolve(__dirname, "..");
