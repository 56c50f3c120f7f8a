import type { Context, MiddlewareHandler } from "hono";

/** Milliseconds on a monotonic clock; injectable so tests move time by hand. */
export type Clock = () => number;
const monotonic: Clock = () => performance.now();

/** A token bucket: holds up to `capacity` tokens, refilled continuously at `refillPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly clock: Clock = monotonic,
  ) {
    if (!(capacity > 0) || !(refillPerSecond > 0)) throw new RangeError(`TokenBucket needs a positive capacity and refill rate (got ${capacity}, ${refillPerSecond})`);
    this.tokens = capacity;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }

  /** Takes `n` tokens if there are that many. */
  take(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** How long until `n` tokens are there (0 when they are now). */
  retryAfterMs(n = 1): number {
    this.refill();
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) / this.refillPerSecond) * 1000);
  }

  /** Full again: as good as a new bucket, so it can be dropped. */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }
}

export interface KeyedLimiterOptions {
  capacity: number;
  refillPerSecond: number;
  /** Most buckets kept at once; the least recently used go first past it. */
  maxKeys?: number;
  clock?: Clock;
}

/** One bucket per key (client address, say), with bounded memory: idle buckets are dropped. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly maxKeys: number;
  private readonly clock: Clock;
  private takesSinceSweep = 0;

  constructor(private readonly options: KeyedLimiterOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.clock = options.clock ?? monotonic;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`; when refused, `retryAfterMs` says when to come back. */
  take(key: string, n = 1): { allowed: boolean; retryAfterMs: number } {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key); // re-inserted below: Map order is least recently used first
    else bucket = new TokenBucket(this.options.capacity, this.options.refillPerSecond, this.clock);
    this.buckets.set(key, bucket);
    if (++this.takesSinceSweep >= 1000 || this.buckets.size > this.maxKeys) this.sweep();
    const allowed = bucket.take(n);
    return { allowed, retryAfterMs: allowed ? 0 : bucket.retryAfterMs(n) };
  }

  /** Drops full buckets, then the least recently used ones past maxKeys. */
  sweep(): void {
    this.takesSinceSweep = 0;
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

interface RequestIpSource {
  requestIP?: (request: Request) => { address: string } | null;
}

/**
 * The client's address from Bun (`Bun.serve`'s `server.requestIP`, passed as `env.server` or as `env`).
 * X-Forwarded-For is not trusted: any client can write it.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { server?: RequestIpSource } & RequestIpSource | undefined;
  const source = env?.server ?? env;
  return source?.requestIP?.(c.req.raw)?.address ?? "unknown";
}

export interface RateLimitOptions {
  perMinute: number;
  /** Requests allowed at once before the steady rate applies (default: perMinute). */
  burst?: number;
  /** What shares a bucket (default: the client address). */
  key?: (c: Context) => string;
  maxKeys?: number;
  clock?: Clock;
}

/** 429 `rate_limited` with Retry-After once a client goes past `perMinute`. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const limiter = new KeyedRateLimiter({
    capacity: options.burst ?? options.perMinute,
    refillPerSecond: options.perMinute / 60,
    maxKeys: options.maxKeys,
    clock: options.clock,
  });
  const keyOf = options.key ?? clientAddress;
  return async (c, next) => {
    const { allowed, retryAfterMs } = limiter.take(keyOf(c));
    if (allowed) return next();
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    c.header("Retry-After", String(seconds));
    return c.json({ error: `too many requests: at most ${options.perMinute} a minute; retry in ${seconds} s`, code: "rate_limited" }, 429);
  };
}
