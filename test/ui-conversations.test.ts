import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TIMELINE_WINDOW } from "../frontend/src/components/Timeline.tsx";
import { CONVERSATIONS_STEP } from "../frontend/src/useConversations.ts";
import { browserAvailable, createConversationInUi, expectSameEventsAsServer, finishedTerminal, runCommandInUi as runCommand, serverEvents, startDropProxy, waitConnected } from "./support/browser.ts";
import { startTestServer } from "./support/server.ts";
import { ARTIFACTS, PHONE, TEST_MS, useUiSuite } from "./support/ui-suite.ts";
import { answers, connectClient, isActionFrame } from "./support/ws-client.ts";

// The bundled UI, served by the real server and driven in Debian's headless Chromium (test/support/ui-suite.ts).

describe.skipIf(!browserAvailable("ui-conversations"))("the bundled UI in Chromium: conversations and their timeline", () => {
  const ui = useUiSuite();

  test("creates a conversation from the start screen and lists it with its state", async () => {
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
    await item.waitFor();
    expect(await item.locator('[data-testid="conversation-state"]').count()).toBe(1);
    expect((await item.getByTestId("conversation-activity").textContent())?.length ?? 0).toBeGreaterThan(0);
    const listed = (await (await fetch(`${ui.server().url}/api/conversations`)).json()) as { results: { conversation_id: string }[] };
    expect(listed.results.map((c) => c.conversation_id)).toContain(id);
  }, TEST_MS);

  test("lists the newest 100 conversations, the older ones on request, and filters them by title", async () => {
    const crowded = await startTestServer();
    try {
      const titles: string[] = [];
      for (let i = 0; i < CONVERSATIONS_STEP + 5; i++) {
        titles.push(`conversation ${String(i).padStart(3, "0")}`);
        const created = await fetch(`${crowded.url}/api/conversations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: titles.at(-1) }) });
        expect(created.status).toBe(201);
      }
      const page = await ui.newPage();
      await page.goto(crowded.url);
      const items = page.getByTestId("conversation-item-title");
      await page.getByTestId("show-older-conversations").waitFor();
      expect(await items.count()).toBe(CONVERSATIONS_STEP);
      await page.getByTestId("show-older-conversations").click();
      await page.getByTestId("show-older-conversations").waitFor({ state: "detached" });
      // Every conversation once (conversations created in the same millisecond may come in either order).
      expect((await items.allTextContents()).sort()).toEqual(titles);

      // The filter narrows the list by title, case aside; nothing matching says so.
      await page.getByTestId("conversation-filter").fill("CONVERSATION 10");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="conversation-item-title"]').length === 5);
      expect((await items.allTextContents()).sort()).toEqual(titles.filter((title) => title.startsWith("conversation 10")));
      await page.getByTestId("conversation-filter").fill("no such title");
      await page.getByTestId("conversation-filter-empty").waitFor();
      expect(await items.count()).toBe(0);
      await page.getByTestId("conversation-filter").fill("");
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="conversation-item-title"]').length === n, titles.length);
    } finally {
      await crowded.stop();
    }
  }, TEST_MS);

  test("a message too big for a frame is kept in the box with a note saying what to do, not sent and lost", async () => {
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    const huge = "y".repeat(1_200_000);
    await page.getByTestId("chat-input").fill(huge);
    await page.getByTestId("chat-input").press("Enter");
    await page.getByTestId("chat-too-long").waitFor();
    expect(await page.getByTestId("chat-too-long").textContent()).toContain("more than the 1.0 MB a message can carry. Upload it as a file");
    expect((await page.getByTestId("chat-input").inputValue()).length).toBe(huge.length);
    // Nothing went to the server: no message stored, no error frame shown.
    expect(await page.getByTestId("notice").count()).toBe(0);
    const events = (await (await fetch(`${ui.server().url}/api/conversations/${id}/events`)).json()) as { events: unknown[] };
    expect(events.events).toEqual([]);
    // Editing the text takes the note away; a message that fits goes as before.
    await page.getByTestId("chat-input").fill("a short task");
    await page.getByTestId("chat-too-long").waitFor({ state: "detached" });
  }, TEST_MS);

  test("renames and deletes a conversation from the list", async () => {
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
    await item.hover();
    await item.getByTestId("conversation-rename").click();
    await item.getByTestId("conversation-rename-input").fill("Renamed by the UI test");
    await item.getByTestId("conversation-rename-input").press("Enter");
    await page.locator('[data-testid="conversation-title"]', { hasText: "Renamed by the UI test" }).waitFor();
    const record = (await (await fetch(`${ui.server().url}/api/conversations/${id}`)).json()) as { title: string };
    expect(record.title).toBe("Renamed by the UI test");
    // The box takes no more than the server's 200 characters, so a long paste is cut, not refused.
    await item.hover();
    await item.getByTestId("conversation-rename").click();
    await item.getByTestId("conversation-rename-input").fill("x".repeat(250));
    await item.getByTestId("conversation-rename-input").press("Enter");
    await page.locator('[data-testid="conversation-title"]', { hasText: "x".repeat(200) }).waitFor();
    const long = (await (await fetch(`${ui.server().url}/api/conversations/${id}`)).json()) as { title: string };
    expect(long.title).toBe("x".repeat(200));

    await item.hover();
    await item.getByTestId("conversation-delete").click();
    await item.getByTestId("conversation-delete-confirm").click();
    await item.waitFor({ state: "detached" });
    await page.getByTestId("new-conversation-screen").waitFor();
    expect((await fetch(`${ui.server().url}/api/conversations/${id}`)).status).toBe(404);
  }, TEST_MS);

  test("a long conversation opens on its newest cards and shows the earlier ones on request, keeping them", async () => {
    const client = await connectClient(ui.server().wsUrl);
    const connected = await client.nextFrame((f) => f.type === "connected");
    const id = String(connected.conversation_id);
    try {
      for (let i = 0; i < TIMELINE_WINDOW + 20; i++) client.send({ action: "think", args: { thought: `thought number ${i}` } });
      await client.nextFrame((f) => f.observation === "think" && f.cause === 2 * (TIMELINE_WINDOW + 19), 30_000);
    } finally {
      client.close();
    }
    const page = await ui.newPage();
    await page.goto(`${ui.server().url}/conversations/${id}`);
    const cards = page.locator('[data-testid="timeline-item"][data-kind="think"]');
    await page.locator('[data-testid="thought"]', { hasText: `thought number ${TIMELINE_WINDOW + 19}` }).waitFor();
    expect(await cards.count()).toBe(TIMELINE_WINDOW);
    expect(await page.getByTestId("show-earlier").textContent()).toBe("Show 20 earlier of 20 hidden");
    expect(await page.locator('[data-testid="thought"]', { hasText: /^thought number 0$/ }).count()).toBe(0);

    await page.getByTestId("show-earlier").click();
    await page.locator('[data-testid="thought"]', { hasText: /^thought number 0$/ }).waitFor();
    expect(await cards.count()).toBe(TIMELINE_WINDOW + 20);
    await page.getByTestId("show-earlier").waitFor({ state: "detached" });
    // New events do not push the earlier cards out again once the user has asked for them.
    await runCommand(page, "echo after-the-window");
    await finishedTerminal(page, "after-the-window").waitFor();
    expect(await cards.count()).toBe(TIMELINE_WINDOW + 20);
  }, TEST_MS);

  test("after a reload shows the same timeline, every event exactly once", async () => {
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    await runCommand(page, "echo before-reload-1");
    await finishedTerminal(page, "before-reload-1").waitFor();
    await runCommand(page, "echo before-reload-2");
    await finishedTerminal(page, "before-reload-2").waitFor();
    await expectSameEventsAsServer(page, ui.server().url, id);
    const before = await page.locator('[data-testid="timeline-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-event-id")));

    await page.reload();
    await waitConnected(page);
    await expectSameEventsAsServer(page, ui.server().url, id);
    const after = await page.locator('[data-testid="timeline-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-event-id")));
    expect(after).toEqual(before);
    expect(await finishedTerminal(page, "before-reload-1").count()).toBe(1);
    expect(await finishedTerminal(page, "before-reload-2").count()).toBe(1);
  }, TEST_MS);

  test("two tabs on one conversation see each other's events", async () => {
    const first = await ui.newPage();
    const id = await createConversationInUi(first, ui.server().url);
    const second = await ui.newPage();
    await second.goto(`${ui.server().url}/conversations/${id}`);
    await waitConnected(second);

    await runCommand(first, "echo from-first-tab");
    await finishedTerminal(second, "from-first-tab").waitFor();

    await second.getByTestId("chat-input").fill("hello from the second tab");
    await second.getByTestId("chat-input").press("Enter");
    await first.locator('[data-testid="chat-message"][data-role="user"]', { hasText: "hello from the second tab" }).waitFor();
    await expectSameEventsAsServer(first, ui.server().url, id);
    await expectSameEventsAsServer(second, ui.server().url, id);
  }, TEST_MS);

  test(
    "reconnects after a dropped connection with latest_event_id and misses nothing",
    async () => {
      const proxy = startDropProxy(ui.server().port);
      try {
        const page = await ui.newPage();
        const socketUrls: string[] = [];
        page.on("websocket", (ws) => socketUrls.push(ws.url()));
        const id = await createConversationInUi(page, proxy.url);
        await runCommand(page, "echo before-drop");
        await finishedTerminal(page, "before-drop").waitFor();
        await expectSameEventsAsServer(page, ui.server().url, id);
        const maxBefore = (await serverEvents(ui.server().url, id)).at(-1)?.id ?? -1;

        proxy.refuse(true);
        proxy.dropAll();
        await page.locator('[data-testid="connection-status"][data-status="reconnecting"]').waitFor();

        // While the page is cut off, another client adds events.
        const client = await connectClient(ui.server().wsUrl, { conversation_id: id });
        try {
          client.send({ action: "run", args: { command: "echo while-away" } });
          const run = await client.nextFrame(isActionFrame("run"));
          await client.nextFrame(answers(run.id as number));
        } finally {
          client.close();
        }

        proxy.refuse(false);
        await waitConnected(page);
        await finishedTerminal(page, "while-away").waitFor();
        await expectSameEventsAsServer(page, ui.server().url, id);
        expect(await finishedTerminal(page, "before-drop").count()).toBe(1);
        const reconnectUrl = new URL(socketUrls.at(-1) ?? "");
        expect(reconnectUrl.searchParams.get("latest_event_id")).toBe(String(maxBefore));
      } finally {
        proxy.stop();
      }
    },
    TEST_MS,
  );

  test("works at phone width: files collapse, Enter sends and Shift+Enter makes a new line", async () => {
    const page = await ui.newPage(PHONE);
    await createConversationInUi(page, ui.server().url);
    expect(await page.getByTestId("file-panel").count()).toBe(0);
    expect(await page.getByTestId("conversation-list").isVisible()).toBe(false);

    const input = page.getByTestId("chat-input");
    await input.click();
    await input.pressSequentially("first line");
    await input.press("Shift+Enter");
    await input.pressSequentially("second line");
    expect(await input.inputValue()).toBe("first line\nsecond line");
    await input.press("Enter");
    const message = page.locator('[data-testid="chat-message"][data-role="user"]', { hasText: "first line" });
    await message.waitFor();
    expect(await message.innerText()).toBe("first line\nsecond line");
    expect(await input.inputValue()).toBe("");
    await runCommand(page, "echo phone-width");
    await finishedTerminal(page, "phone-width").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "ui-phone.png") });

    await page.getByTestId("files-toggle").click();
    await page.getByTestId("file-panel").waitFor();
    await page.getByTestId("files-close").click();
    await page.getByTestId("file-panel").waitFor({ state: "detached" });

    await page.getByTestId("menu-button").click();
    await page.getByTestId("conversation-list").waitFor({ state: "visible" });
  }, TEST_MS);
});
