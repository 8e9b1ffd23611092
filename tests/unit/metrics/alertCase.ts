// One `promtool test rules` case of an alert: its input and what must fire.
export interface AlertCase {
  readonly alert: string;
  /** Series as promtool writes them: `name{labels}` → `values` in expanding notation. */
  readonly series: Readonly<Record<string, string>>;
  readonly evalTime: string;
  /** Labels of each firing alert; undefined for the case that must stay silent. */
  readonly fires?: Readonly<Record<string, string>> | readonly Readonly<Record<string, string>>[];
}
