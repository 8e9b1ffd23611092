import * as k8s from "@kubernetes/client-node";

/**
 * Runs a stand-in controller's pass when the objects it acts on change, as a controller's informer
 * does: a watch on each of `paths` (API paths of collections, such as
 * `/api/v1/persistentvolumeclaims`) triggers a pass on every event. One pass runs at a time; events
 * during a pass make one more pass after it. A failed pass is retried after `retryMs`, its error
 * kept in `lastError`. A watch the server ends or that fails is started again after `retryMs`, and
 * a pass runs every `resyncMs` besides, so that a change is acted on even while a watch is down
 * (the API server restarted).
 */
export class WatchedReconciler {
  private running = false;
  private again = false;
  private stopped = false;
  private resync: NodeJS.Timeout | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly watches = new Set<{ abort(): void }>();
  /** The last error of a pass or a watch, for failure messages. */
  lastError: string | undefined;

  constructor(
    private readonly kubeConfig: k8s.KubeConfig,
    private readonly paths: readonly string[],
    private readonly pass: () => Promise<void>,
    private readonly describe: (error: unknown) => string,
    private readonly timing = { retryMs: 500, resyncMs: 5000 },
  ) {}

  start(): void {
    for (const path of this.paths) {
      this.watch(path);
    }
    this.resync = setInterval(() => this.trigger(), this.timing.resyncMs);
    this.trigger();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resync);
    for (const retry of this.retries) {
      clearTimeout(retry);
    }
    for (const watch of this.watches) {
      watch.abort();
    }
  }

  private trigger(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.pass()
      .catch((error: unknown) => {
        this.failed(error);
        this.later(() => this.trigger());
      })
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  private watch(path: string): void {
    if (this.stopped) {
      return;
    }
    let request: { abort(): void } | undefined;
    let over = false;
    const ended = (error: unknown) => {
      over = true;
      if (request !== undefined) {
        this.watches.delete(request);
      }
      if (this.stopped) {
        return;
      }
      if (error !== null && error !== undefined) {
        this.failed(error);
      }
      this.trigger();
      this.later(() => this.watch(path));
    };
    new k8s.Watch(this.kubeConfig)
      .watch(path, {}, () => this.trigger(), ended)
      .then((started: { abort(): void }) => {
        request = started;
        if (this.stopped) {
          started.abort();
        } else if (!over) {
          this.watches.add(started);
        }
      })
      .catch(ended);
  }

  private failed(error: unknown): void {
    this.lastError = `${new Date().toISOString()} ${this.describe(error)}`;
  }

  private later(action: () => void): void {
    const retry = setTimeout(() => {
      this.retries.delete(retry);
      action();
    }, this.timing.retryMs);
    this.retries.add(retry);
  }
}
