/**
 * Exponential backoff with full jitter (AWS architecture blog): each wait is uniform in
 * [0, min(max, initial * 2^attempt)], which spreads a fleet reconnecting after an outage
 * instead of having every agent retry in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The ceiling of the next wait, before jitter. */
  get ceilingMs(): number {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
  }

  next(): number {
    const wait = Math.floor(this.random() * this.ceilingMs);
    this.attempt += 1;
    return wait;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that a stop can cut short. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
