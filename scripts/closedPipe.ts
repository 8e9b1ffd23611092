/**
 * Output piped into a reader that stops early (`npm run -s render -- kind | head`) ends the command
 * quietly, as Unix tools end on SIGPIPE, instead of with Node's EPIPE stack trace.
 */
export function endQuietlyWhenPipeCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") {
        throw error;
      }
      process.exit(0);
    });
  }
}
