import { DashboardSettings } from "../settings";
import { DashboardSpec } from "../dashboard/model";

/** What other dashboards link a dashboard by. */
export interface DashboardIdentity {
  /** Its address, `/d/<uid>`: links and bookmarks point at it, so it never changes. */
  readonly uid: string;
  readonly title: string;
}

/** What a dashboard shows, which may depend on the stack's config. */
type DashboardContent = Omit<DashboardSpec, "uid" | "title">;

/** One provisioned dashboard. */
export interface DashboardDefinition extends DashboardIdentity {
  readonly content: (config: DashboardSettings) => DashboardContent;
}

/** A dashboard's definition: its identity on one line, then what it shows. */
export const defineDashboard = (
  identity: DashboardIdentity,
  content: (config: DashboardSettings) => DashboardContent,
): DashboardDefinition => ({ ...identity, content });
