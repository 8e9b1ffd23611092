// Sends items at a set rate in batches, ten times a second, and counts what the receiver took and
// refused. What is owed accrues by the clock, not by timer ticks, so a busy event loop sends
// bigger batches rather than fewer items. A batch that is still in flight when the next is due is not waited for: a slow receiver
// shows as requests piling up (in flight), not as a lower offered rate. Past MAX_IN_FLIGHT requests
// the items due are held back instead, counted, so that a receiver that stops answering cannot
// fill this process's memory with request bodies.
interface PacerCounts {
  /** Items whose request was sent: less than the rate when this process cannot keep up. */
  readonly sent: number;
  /** Items whose request answered 2xx. */
  readonly accepted: number;
  /** Items whose request answered otherwise or failed. */
  readonly refused: number;
  readonly inFlight: number;
  /** Items due while MAX_IN_FLIGHT requests were unanswered, never sent: the receiver fell behind. */
  readonly heldBack: number;
  /** The last refusal, e.g. "429 Too Many Requests: ...". */
  readonly lastError: string;
}

const TICK_MS = 100;
const MAX_IN_FLIGHT = 32;

export class Pacer {
  private sent = 0;
  private accepted = 0;
  private refused = 0;
  private inFlight = 0;
  private heldBack = 0;
  private lastError = "";
  private owed = 0;
  private lastTick = Date.now();
  private readonly timer: NodeJS.Timeout;

  /**
   * `send(n)` posts n items and resolves to the response (or throws); a tick's items go in requests
   * of at most `maxBatch`, as a real client batches (Alloy's loki.write: 1 MiB).
   */
  constructor(
    private perSecond: number,
    private readonly send: (count: number) => Promise<Response>,
    private readonly maxBatch = Infinity,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
  }

  rate(): number {
    return this.perSecond;
  }

  private tick(): void {
    const now = Date.now();
    this.owed += (this.perSecond * (now - this.lastTick)) / 1000;
    this.lastTick = now;
    const due = Math.floor(this.owed);
    this.owed -= due;
    for (let left = due; left > 0; left -= this.maxBatch) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.heldBack += left;
        return;
      }
      this.request(Math.min(left, this.maxBatch));
    }
  }

  private request(count: number): void {
    this.sent += count;
    this.inFlight++;
    this.send(count)
      .then(async (response) => {
        if (response.ok) {
          this.accepted += count;
        } else {
          this.refused += count;
          this.lastError = `${response.status} ${(await response.text()).trim().slice(0, 200)}`;
        }
      })
      .catch((error: unknown) => {
        this.refused += count;
        this.lastError = error instanceof Error ? error.message : String(error);
      })
      .finally(() => this.inFlight--);
  }

  counts(): PacerCounts {
    return {
      sent: this.sent,
      accepted: this.accepted,
      refused: this.refused,
      inFlight: this.inFlight,
      heldBack: this.heldBack,
      lastError: this.lastError,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
