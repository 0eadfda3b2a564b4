/**
 * Token buckets per caller: up to `perMinute` requests at once, refilled evenly over a minute.
 * In memory, per process: good enough to stop a runaway script or a guessing loop; a cluster
 * behind a load balancer gets one budget per node.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(k: string, perMinute: number, now = Date.now()): number {
    let b = this.buckets.get(k);
    if (!b) {
      if (this.buckets.size > 50_000) this.buckets.clear();
      b = { tokens: perMinute, at: now };
      this.buckets.set(k, b);
    }
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) / 60_000) * perMinute);
    b.at = now;
    if (b.tokens < 1) return Math.ceil(((1 - b.tokens) / perMinute) * 60);
    b.tokens -= 1;
    return 0;
  }

  /** Whole tokens left for `k` (for the RateLimit-Remaining header). */
  remaining(k: string): number {
    return Math.floor(this.buckets.get(k)?.tokens ?? 0);
  }
}
