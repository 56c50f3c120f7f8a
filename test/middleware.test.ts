import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { extractApiKey, isAuthorized, isPublicPath, sessionAuth } from "../src/server/middleware/auth.ts";
import { corsFromSettings } from "../src/server/middleware/cors.ts";
import { clientAddress, KeyedRateLimiter, rateLimit, TokenBucket } from "../src/server/middleware/rate-limit.ts";

const KEY = "correct-horse-battery-staple";

/** A clock the test moves by hand (milliseconds). */
function manualClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** What Bun.serve hands Hono as `env`: the server, whose requestIP gives the peer address. */
function bunEnv(address: string) {
  return { server: { requestIP: () => ({ address, family: "IPv4", port: 40000 }) } };
}

function appWith(...middleware: Parameters<Hono["use"]>[1][]) {
  const app = new Hono();
  for (const handler of middleware) app.use(handler);
  app.all("*", (c) => c.json({ ok: true, path: c.req.path }));
  return app;
}

describe("sessionAuth", () => {
  const app = appWith(sessionAuth({ apiKey: KEY }));

  test("without a configured key every request passes", async () => {
    const open = appWith(sessionAuth({}));
    expect((await open.request("/api/conversations")).status).toBe(200);
    expect((await open.request("/security/analyze", { method: "POST" })).status).toBe(200);
  });

  test("a protected path without the key is 401 unauthorized, saying how to send it", async () => {
    const response = await app.request("/api/conversations");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    const body = (await response.json()) as Record<string, string>;
    expect(body.code).toBe("unauthorized");
    expect(body.error).toContain("X-Session-API-Key");
  });

  test("the key is accepted in X-Session-API-Key, Authorization: Bearer, or ?session_api_key", async () => {
    expect((await app.request("/api/conversations", { headers: { "X-Session-API-Key": KEY } })).status).toBe(200);
    expect((await app.request("/api/conversations", { headers: { Authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await app.request("/api/conversations", { headers: { authorization: `bearer ${KEY}` } })).status).toBe(200);
    expect((await app.request(`/api/conversations?session_api_key=${encodeURIComponent(KEY)}`)).status).toBe(200);
  });

  test("a wrong key is refused, whatever its length", async () => {
    for (const wrong of [`${KEY}x`, KEY.slice(0, -1), "x", KEY.toUpperCase()]) {
      const response = await app.request("/api/conversations", { headers: { "X-Session-API-Key": wrong } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as Record<string, string>).error).toContain("wrong");
    }
    expect((await app.request("/api/conversations", { headers: { Authorization: "Basic abc" } })).status).toBe(401);
  });

  test("/health and the static UI are public; every API surface is protected", async () => {
    for (const path of ["/health", "/", "/index.html", "/assets/app.js", "/conversations/abc", "/apiary"]) {
      expect({ path, status: (await app.request(path)).status }).toEqual({ path, status: 200 });
    }
    for (const path of ["/api/conversations", "/api", "/ws", "/upload", "/security/analyze", "/metrics", "/openapi.json"]) {
      expect({ path, status: (await app.request(path)).status }).toEqual({ path, status: 401 });
    }
  });

  test("odd spellings of a protected path do not slip through", () => {
    for (const path of ["/API/conversations", "//api/conversations", "/%61pi/conversations", "/Metrics"]) expect({ path, public: isPublicPath(path) }).toEqual({ path, public: false });
  });

  test("publicPaths can be replaced", async () => {
    const custom = appWith(sessionAuth({ apiKey: KEY, publicPaths: (path) => path === "/open" }));
    expect((await custom.request("/open")).status).toBe(200);
    expect((await custom.request("/health")).status).toBe(401);
  });

  test("a CORS preflight passes (browsers send no credentials on it)", async () => {
    const response = await app.request("/api/conversations", { method: "OPTIONS", headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" } });
    expect(response.status).toBe(200);
    expect((await app.request("/api/conversations", { method: "OPTIONS" })).status).toBe(401);
  });

  test("extractApiKey and isAuthorized serve the WebSocket upgrade too", () => {
    const request = (headers: Record<string, string>, query = "") => new Request(`http://localhost/ws${query}`, { headers });
    expect(extractApiKey(request({ "x-session-api-key": "a", authorization: "Bearer b" }, "?session_api_key=c"))).toBe("a");
    expect(extractApiKey(request({ authorization: "Bearer b" }, "?session_api_key=c"))).toBe("b");
    expect(extractApiKey(request({}, "?session_api_key=c"))).toBe("c");
    expect(extractApiKey(request({}))).toBeUndefined();
    expect(isAuthorized(request({}), undefined)).toBe(true);
    expect(isAuthorized(request({}), KEY)).toBe(false);
    expect(isAuthorized(request({}, `?session_api_key=${KEY}`), KEY)).toBe(true);
    expect(isAuthorized(request({ "x-session-api-key": "nope" }), KEY)).toBe(false);
  });
});

describe("TokenBucket", () => {
  test("allows the capacity at once, then refills at its rate", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(3, 1, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(1000);
    clock.advance(500);
    expect(bucket.take()).toBe(false);
    expect(bucket.retryAfterMs()).toBe(500);
    clock.advance(500);
    expect(bucket.take()).toBe(true);
    clock.advance(60_000);
    expect(bucket.isFull()).toBe(true);
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(1)).toBe(false);
  });

  test("never holds more than its capacity, and refuses more than that at once", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 10, clock.now);
    clock.advance(3_600_000);
    expect(bucket.take(3)).toBe(false);
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  test("refuses a nonsensical configuration", () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe("KeyedRateLimiter", () => {
  test("keeps one bucket per key", () => {
    const clock = manualClock();
    const limiter = new KeyedRateLimiter({ capacity: 1, refillPerSecond: 1, clock: clock.now });
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a")).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(limiter.take("b").allowed).toBe(true);
  });

  test("memory stays bounded: idle keys are dropped, and the least recently used past maxKeys", () => {
    const clock = manualClock();
    const limiter = new KeyedRateLimiter({ capacity: 5, refillPerSecond: 1, maxKeys: 100, clock: clock.now });
    for (let i = 0; i < 5000; i++) limiter.take(`client-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    clock.advance(10_000); // every bucket refills: idle
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  test("a busy key survives the eviction of idle ones", () => {
    const clock = manualClock();
    const limiter = new KeyedRateLimiter({ capacity: 2, refillPerSecond: 0.001, maxKeys: 10, clock: clock.now });
    limiter.take("busy");
    limiter.take("busy");
    for (let i = 0; i < 50; i++) {
      limiter.take(`other-${i}`, 0);
      limiter.take("busy", 0); // recently used
    }
    expect(limiter.take("busy").allowed).toBe(false);
  });
});

describe("rateLimit", () => {
  test("answers 429 rate_limited with Retry-After once a client passes its budget", async () => {
    const clock = manualClock();
    const app = appWith(rateLimit({ perMinute: 2, clock: clock.now }));
    const env = bunEnv("203.0.113.7");
    expect((await app.request("/api/x", {}, env)).status).toBe(200);
    expect((await app.request("/api/x", {}, env)).status).toBe(200);
    const refused = await app.request("/api/x", {}, env);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(((await refused.json()) as Record<string, string>).code).toBe("rate_limited");
    clock.advance(30_000);
    expect((await app.request("/api/x", {}, env)).status).toBe(200);
  });

  test("clients are told apart by Bun's peer address, and X-Forwarded-For is not trusted", async () => {
    const clock = manualClock();
    const app = appWith(rateLimit({ perMinute: 1, clock: clock.now }));
    expect((await app.request("/", {}, bunEnv("198.51.100.1"))).status).toBe(200);
    expect((await app.request("/", {}, bunEnv("198.51.100.2"))).status).toBe(200);
    const spoofed = await app.request("/", { headers: { "X-Forwarded-For": "192.0.2.99" } }, bunEnv("198.51.100.1"));
    expect(spoofed.status).toBe(429);
  });

  test("without Bun's server every request shares the 'unknown' bucket", async () => {
    const app = new Hono();
    app.get("/who", (c) => c.text(clientAddress(c)));
    expect(await (await app.request("/who")).text()).toBe("unknown");
    expect(await (await app.request("/who", {}, bunEnv("192.0.2.5"))).text()).toBe("192.0.2.5");
  });

  test("a custom key function decides what shares a bucket", async () => {
    const app = appWith(rateLimit({ perMinute: 1, key: (c) => c.req.header("x-tenant") ?? "none", clock: manualClock().now }));
    expect((await app.request("/", { headers: { "x-tenant": "a" } })).status).toBe(200);
    expect((await app.request("/", { headers: { "x-tenant": "b" } })).status).toBe(200);
    expect((await app.request("/", { headers: { "x-tenant": "a" } })).status).toBe(429);
  });
});

describe("corsFromSettings", () => {
  const allowed = async (app: Hono, origin: string, url = "http://127.0.0.1:3000/api/x") => (await app.request(url, { headers: { Origin: origin } })).headers.get("access-control-allow-origin");

  test("with no CORS_ORIGINS: this machine's browsers and the same origin only", async () => {
    const app = appWith(corsFromSettings([]));
    for (const origin of ["http://localhost:5173", "https://localhost:8443", "http://127.0.0.1:3000", "http://[::1]:8080", "http://localhost"]) {
      expect({ origin, allowed: await allowed(app, origin) }).toEqual({ origin, allowed: origin });
    }
    expect(await allowed(app, "http://bunhands.example:3000", "http://bunhands.example:3000/api/x")).toBe("http://bunhands.example:3000");
    for (const origin of ["https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.evil.example", "http://other.example:3000", "null"]) {
      expect({ origin, allowed: await allowed(app, origin) }).toEqual({ origin, allowed: null });
    }
  });

  test("with CORS_ORIGINS: exactly those origins", async () => {
    const app = appWith(corsFromSettings(["https://app.example", "https://admin.example/"]));
    expect(await allowed(app, "https://app.example")).toBe("https://app.example");
    expect(await allowed(app, "https://admin.example")).toBe("https://admin.example");
    expect(await allowed(app, "http://localhost:5173")).toBeNull();
    expect(await allowed(app, "https://app.example.evil")).toBeNull();
  });

  test("`*` only when the operator lists it", async () => {
    const app = appWith(corsFromSettings(["*"]));
    expect(await allowed(app, "https://anything.example")).toBe("*");
  });

  test("a preflight is answered, allowing the key headers, before auth can refuse it", async () => {
    const app = appWith(corsFromSettings([]), sessionAuth({ apiKey: KEY }));
    const response = await app.request("/api/conversations", {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-session-api-key, content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const headers = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(headers).toContain("x-session-api-key");
    expect(headers).toContain("authorization");
    expect(response.headers.get("access-control-allow-methods")).toContain("DELETE");
  });
});
