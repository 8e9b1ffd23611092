import { StackConfig } from "../../../config";
import { DashboardSpec } from "../dashboard/model";

/** What a dashboard shows, which may depend on the stack's config. */
export type DashboardContent = Omit<DashboardSpec, "uid" | "title">;

/** One provisioned dashboard: what other dashboards link it by, and its content. */
export interface DashboardDefinition {
  /** Its address, `/d/<uid>`: links and bookmarks point at it, so it never changes. */
  readonly uid: string;
  readonly title: string;
  readonly content: (config: StackConfig) => DashboardContent;
}
