// Counts events per key (failed logins per IP or account, anonymous predictions per IP) in a sliding
// window, in this process's memory. Several instances each keep their own counts: limits apply per instance.

export class SlidingWindowCounter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const times = (this.events.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length) this.events.set(key, times);
    else this.events.delete(key);
    return times;
  }

  /** Seconds until `key` may try again, or 0 when it is not blocked. */
  blockedForSeconds(key: string): number {
    const times = this.recent(key);
    if (times.length < this.limit) return 0;
    return Math.max(1, Math.ceil((times[times.length - this.limit]! + this.windowMs - this.now()) / 1000));
  }

  record(key: string): void {
    this.events.set(key, [...this.recent(key), this.now()]);
  }

  reset(key: string): void {
    this.events.delete(key);
  }
}
