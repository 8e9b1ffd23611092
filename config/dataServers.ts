/**
 * The servers that keep what they write on a volume (or Grafana's database), by their
 * `images.<component>` key: each reads what it wrote before, in its own format, after an update.
 */
export const DATA_SERVER_IMAGES = ["prometheus", "alertmanager", "loki", "tempo", "grafana"] as const;
export type DataServerImage = (typeof DATA_SERVER_IMAGES)[number];
