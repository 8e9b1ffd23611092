/** How every Alloy of the stack runs: its config file, UI/metrics port and data directory; no telemetry home. */
export function alloyRunArgs(
  paths: { readonly config: string; readonly data: string },
  port: number,
): string[] {
  return [
    "run",
    `${paths.config}/config.alloy`,
    `--server.http.listen-addr=0.0.0.0:${port}`,
    `--storage.path=${paths.data}`,
    "--stability.level=generally-available",
    "--disable-reporting",
  ];
}
