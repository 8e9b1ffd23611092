import { Json } from "./json";

/** GETs JSON, failing with the status and body on anything but 2xx. */
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(url, { headers });
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as Json;
}

/** POSTs a JSON body, failing with the status and body on anything but 2xx. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
}

/**
 * A counter or gauge from a server's Prometheus exposition (`<base>/metrics`), summed over its series,
 * or over those whose line `match` accepts.
 */
export async function metricValue(
  base: string,
  name: string,
  match: (line: string) => boolean = () => true,
): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && match(line))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}
