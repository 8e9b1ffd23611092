/** Runs a command line's checks and exits with their code; an error (a config error too) is one line and 1. */
export function exitWith(run: () => Promise<number>): void {
  run()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
