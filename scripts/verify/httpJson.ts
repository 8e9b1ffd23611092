/** A bounded GET or POST: one slow server must not hold the whole verify. */
export async function request(
  url: string,
  init: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string } = {},
): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10000) });
}

/** The JSON body of a 2xx answer; anything else throws with the status and the body's start. */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await request(url, { headers });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text) as T;
}
