// What the components report about themselves: totals from their /metrics and instant queries.
import { samples } from "../../tests/kit/expositions/index";
import { getJson } from "../../tests/kit/http";

/** The values of every series of the metrics named `name` (with or without `_total`) at `url`. */
export async function metricValues(url: string, name: string): Promise<number[]> {
  const text = await (await fetch(url)).text();
  return samples(text)
    .filter((s) => s.name === name || s.name === `${name}_total`)
    .map((s) => s.value);
}

/** Their sum: a counter's total over all its label sets. */
export const metricTotal = async (url: string, name: string): Promise<number> =>
  (await metricValues(url, name)).reduce((n, v) => n + v, 0);

/** The value of a PromQL expression with one result, or 0 when it has none. */
export async function instant(prometheus: string, expr: string): Promise<number> {
  const { data } = (await getJson(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
    data: { result: { value: [number, string] }[] };
  };
  const [first] = data.result;
  return first === undefined ? 0 : Number(first.value[1]);
}
