import type { z } from "zod";
import { SideBySide, same } from "../profiles";
import type { alertingSection } from "./section";

/** The alerting section's defaults on kind and on eks: no team's receivers, routes or intervals. */
export const ALERTING_DEFAULTS: SideBySide<z.input<typeof alertingSection>> = {
  groupWait: same("30s"),
  receivers: same([]),
  routes: same([]),
  timeIntervals: same([]),
  externalUrls: same({}),
};
