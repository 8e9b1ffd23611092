// Renders that many test files read, made once per run: a jest global setup writes each to
// `<dir>/<name>.json` and every file and worker reads it there instead of running the program again.
// Without a setup (a single file run by hand through another config) a file renders for itself.
import * as fs from "fs";
import * as path from "path";
import { RenderedStack } from "../../render/renderStack";

/** The directory the global setup wrote the shared renders to. */
export const SHARED_RENDERS_VARIABLE = "OBSERVABILITY_SHARED_RENDERS";

const cache = new Map<string, Promise<RenderedStack>>();
// The Pulumi runtime is process-global: renders must not overlap.
let queue: Promise<unknown> = Promise.resolve();

function renderInTurn(render: () => Promise<RenderedStack>): Promise<RenderedStack> {
  const result = queue.then(render);
  queue = result.catch(() => undefined);
  return result;
}

/** The render called `name`: the global setup's when it shared one, otherwise `render()`, once per file. */
export function sharedRender(name: string, render: () => Promise<RenderedStack>): Promise<RenderedStack> {
  let result = cache.get(name);
  if (result === undefined) {
    const dir = process.env[SHARED_RENDERS_VARIABLE];
    const file = dir === undefined ? undefined : path.join(dir, `${name}.json`);
    result =
      file !== undefined && fs.existsSync(file)
        ? fs.promises.readFile(file, "utf8").then((text) => JSON.parse(text) as RenderedStack)
        : renderInTurn(render);
    cache.set(name, result);
  }
  return result;
}

/** Renders into `dir` for `sharedRender` to read there (the global setup points the variable at `dir`). */
export async function shareRender(
  dir: string,
  name: string,
  render: () => Promise<RenderedStack>,
): Promise<void> {
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(await renderInTurn(render)));
}
