import { afterAll, afterEach, beforeAll, expect } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { startTestServer, type TestServer } from "./server.ts";

// What every browser suite of the bundled UI shares: the real server, Debian's headless Chromium, a browser
// context per test, and page errors as failures.

export const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
export const DESKTOP = { width: 1400, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** Upper bound for one wait in the page; a failure then names what was missing. */
export const WAIT_MS = 15_000;
/** Per test: well past the sum of its waits, so a slow machine fails on a named wait, not on a killed browser. */
export const TEST_MS = 90_000;

export type UiSuite = {
  /** The suite's server (started before its first test). */
  server(): TestServer;
  /** A tab in the test's browser context (one context per test, so tabs share storage like a real browser). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
};

/** Registers the suite's set-up and tear-down; call it at the top of a describe block. */
export function useUiSuite(): UiSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    // An uncaught exception in the page is a failure even when the screen looked right.
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  return {
    server: () => {
      if (!server) throw new Error("the UI suite's server is not started yet");
      return server;
    },
    async newPage(viewport = DESKTOP) {
      if (!browser) throw new Error("the UI suite's browser is not started yet");
      context ??= await browser.newContext({ viewport });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      await page.setViewportSize(viewport);
      page.on("pageerror", (error) => pageErrors.push(`${error.name}: ${error.message}`));
      return page;
    },
  };
}
