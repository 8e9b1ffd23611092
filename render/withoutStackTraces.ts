/**
 * Runs a render with stack traces off. The Pulumi SDK records a stack trace on every promise it
 * makes, for a leak report a mock deployment never prints; formatting them through source maps
 * took half of each render's time. A render that fails on anything `expected` does not accept (a
 * program fault, not a config error) runs again with stack traces, so the fault says where it
 * happened. Renders that overlap keep traces off until the last of them ends.
 */
export async function withoutStackTraces<T>(
  render: () => Promise<T>,
  expected: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await tracesOff(render);
  } catch (error) {
    if (expected(error)) throw error;
    return render();
  }
}

let running = 0;
let limit = Error.stackTraceLimit;

async function tracesOff<T>(body: () => Promise<T>): Promise<T> {
  if (running++ === 0) {
    limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    return await body();
  } finally {
    if (--running === 0) Error.stackTraceLimit = limit;
  }
}
