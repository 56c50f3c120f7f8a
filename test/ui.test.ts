import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { TIMELINE_WINDOW } from "../frontend/src/components/Timeline.tsx";
import { startAgentHarness } from "./support/agent-harness.ts";
import {
  browserAvailable,
  createConversationInUi,
  expectSameEventsAsServer,
  finishedTerminal,
  launchBrowser,
  runCommandInUi as runCommand,
  serverEvents,
  startDropProxy,
  waitConnected,
} from "./support/browser.ts";
import { serveLoopbackPage, startTestServer, type TestServer } from "./support/server.ts";
import { reply, text, toolUse } from "./support/fake-anthropic.ts";
import { tempDir } from "./support/temp.ts";
import { answers, connectClient, isActionFrame } from "./support/ws-client.ts";

// The bundled UI, served by the real server and driven in Debian's headless Chromium.

const ARTIFACTS = join(import.meta.dir, "..", "test-artifacts");
const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Upper bound for one wait in the page; a failure then names what was missing. */
const WAIT_MS = 15_000;
/** Per test: well past the sum of its waits, so a slow machine fails on a named wait, not on a killed browser. */
const TEST_MS = 90_000;

describe.skipIf(!browserAvailable("ui.test"))("bundled UI in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
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

  /** A tab in the test's browser context (one context per test, so tabs share storage like a real browser). */
  async function newPage(viewport = DESKTOP): Promise<Page> {
    context ??= await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.setViewportSize(viewport);
    page.on("pageerror", (error) => pageErrors.push(`${error.name}: ${error.message}`));
    return page;
  }

  test("creates a conversation from the start screen and lists it with its state", async () => {
    const page = await newPage();
    const id = await createConversationInUi(page, server.url);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
    await item.waitFor();
    expect(await item.locator('[data-testid="conversation-state"]').count()).toBe(1);
    expect((await item.getByTestId("conversation-activity").textContent())?.length ?? 0).toBeGreaterThan(0);
    const listed = (await (await fetch(`${server.url}/api/conversations`)).json()) as { results: { conversation_id: string }[] };
    expect(listed.results.map((c) => c.conversation_id)).toContain(id);
  }, TEST_MS);

  test("renames and deletes a conversation from the list", async () => {
    const page = await newPage();
    const id = await createConversationInUi(page, server.url);
    const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
    await item.hover();
    await item.getByTestId("conversation-rename").click();
    await item.getByTestId("conversation-rename-input").fill("Renamed by the UI test");
    await item.getByTestId("conversation-rename-input").press("Enter");
    await page.locator('[data-testid="conversation-title"]', { hasText: "Renamed by the UI test" }).waitFor();
    const record = (await (await fetch(`${server.url}/api/conversations/${id}`)).json()) as { title: string };
    expect(record.title).toBe("Renamed by the UI test");

    await item.hover();
    await item.getByTestId("conversation-delete").click();
    await item.getByTestId("conversation-delete-confirm").click();
    await item.waitFor({ state: "detached" });
    await page.getByTestId("new-conversation-screen").waitFor();
    expect((await fetch(`${server.url}/api/conversations/${id}`)).status).toBe(404);
  }, TEST_MS);

  test("runs a command from the command box and shows its output with the exit code", async () => {
    const page = await newPage();
    await createConversationInUi(page, server.url);
    await runCommand(page, "echo hello-ui");
    const terminal = finishedTerminal(page, "echo hello-ui");
    await terminal.waitFor();
    expect(await terminal.getByTestId("command-output").textContent()).toContain("hello-ui");

    await runCommand(page, "sh -c 'echo oops >&2; exit 3'");
    const failed = finishedTerminal(page, "exit 3", 3);
    await failed.waitFor();
    expect(await failed.getByTestId("command-output").textContent()).toContain("oops");
  }, TEST_MS);

  test("while a command runs, the command box feeds it input and Ctrl-C interrupts it", async () => {
    const page = await newPage();
    await createConversationInUi(page, server.url);
    await runCommand(page, 'read -r line; echo "got:$line"');
    await page.getByTestId("command-interrupt").waitFor();
    expect(await page.getByTestId("command-run").textContent()).toBe("Send");
    await runCommand(page, "typed-in-the-ui");
    const answered = finishedTerminal(page, "read -r line");
    await answered.waitFor();
    expect(await answered.getByTestId("command-output").textContent()).toContain("got:typed-in-the-ui");
    await page.getByTestId("command-interrupt").waitFor({ state: "detached" });

    await runCommand(page, "sleep 300");
    await page.getByTestId("command-interrupt").click();
    await finishedTerminal(page, "sleep 300", 130).waitFor();
    await page.getByTestId("command-interrupt").waitFor({ state: "detached" });
    expect(await page.getByTestId("command-run").textContent()).toBe("Run");
  }, TEST_MS);

  test("shows edits as diffs and thoughts sent by another client, and opens the edited file", async () => {
    const page = await newPage();
    const id = await createConversationInUi(page, server.url);
    const client = await connectClient(server.wsUrl, { conversation_id: id });
    try {
      client.send({ action: "think", args: { thought: "I will add a greeting script, then run it." } });
      client.send({ action: "edit", args: { command: "create", path: "hello.py", file_text: 'print("hello from bunhands")\n' } });
      const edit = await client.nextFrame(isActionFrame("edit"));
      await client.nextFrame(answers(edit.id as number));
      client.send({ action: "edit", args: { command: "str_replace", path: "hello.py", old_str: "hello from bunhands", new_str: "hello, world" } });
      const replace = await client.nextFrame(isActionFrame("edit"));
      const replaced = await client.nextFrame(answers(replace.id as number));
      expect(replaced.observation).toBe("edit");
    } finally {
      client.close();
    }
    await page.locator('[data-testid="thought"]', { hasText: "greeting script" }).waitFor();
    const diff = page.locator('[data-testid="diff"]', { hasText: "hello, world" });
    await diff.waitFor();
    const lines = async (selector: string) => (await diff.locator(selector).allTextContents()).map((line) => line.trimEnd());
    expect(await lines(".diff-add")).toContain('+print("hello, world")');
    expect(await lines(".diff-del")).toContain('-print("hello from bunhands")');

    await runCommand(page, "python3 hello.py 2>/dev/null || cat hello.py");
    await finishedTerminal(page, "hello.py").waitFor();
    await page.locator('[data-testid="file-entry"][data-path="hello.py"]').click();
    await page.locator('[data-testid="file-content"]', { hasText: "hello, world" }).waitFor();
  }, TEST_MS);

  test(
    "uploads files by button and by drag and drop, shows them in the tree and downloads the zip",
    async () => {
      const page = await newPage();
      await createConversationInUi(page, server.url);
      await page.getByTestId("upload-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("uploaded from the UI test\n") });
      await page.locator('[data-testid="upload-status"]', { hasText: "notes.txt" }).waitFor();
      await page.locator('[data-testid="file-entry"][data-path="notes.txt"]').click();
      await page.locator('[data-testid="file-content"]', { hasText: "uploaded from the UI test" }).waitFor();

      const dropped = await page.evaluateHandle(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["dropped into the workspace\n"], "dropped.txt", { type: "text/plain" }));
        return transfer;
      });
      await page.dispatchEvent('[data-testid="timeline"]', "dragover", { dataTransfer: dropped });
      await page.getByTestId("drop-overlay").waitFor();
      await page.dispatchEvent('[data-testid="timeline"]', "drop", { dataTransfer: dropped });
      await page.locator('[data-testid="file-entry"][data-path="dropped.txt"]').waitFor();
      await page.getByTestId("drop-overlay").waitFor({ state: "detached" });

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-zip").click()]);
      const dir = tempDir();
      try {
        const zipPath = join(dir.path, "workspace.zip");
        await download.saveAs(zipPath);
        const zip = readFileSync(zipPath);
        expect(zip.subarray(0, 2).toString("latin1")).toBe("PK");
        expect(zip.includes(Buffer.from("notes.txt"))).toBe(true);
        expect(zip.includes(Buffer.from("dropped.txt"))).toBe(true);

        // A binary file is not shown; the viewer's download button saves its exact bytes.
        const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
        await page.getByTestId("upload-input").setInputFiles({ name: "pixel.png", mimeType: "image/png", buffer: bytes });
        await page.locator('[data-testid="file-entry"][data-path="pixel.png"]').click();
        await page.locator('[data-testid="file-viewer"][data-path="pixel.png"]', { hasText: "binary file" }).waitFor();
        const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("file-download").click()]);
        expect(file.suggestedFilename()).toBe("pixel.png");
        await file.saveAs(join(dir.path, "pixel.png"));
        expect(readFileSync(join(dir.path, "pixel.png")).equals(bytes)).toBe(true);
      } finally {
        dir.cleanup();
      }
    },
    TEST_MS,
  );

  test("a write card says whether the file was written: a write outside the workspace was not", async () => {
    const page = await newPage();
    const id = await createConversationInUi(page, server.url);
    const client = await connectClient(server.wsUrl, { conversation_id: id });
    try {
      for (const path of ["notes.txt", "../outside.txt"]) {
        client.send({ action: "write", args: { path, content: "one\ntwo\n" } });
        const write = await client.nextFrame(isActionFrame("write"));
        await client.nextFrame(answers(write.id as number));
      }
    } finally {
      client.close();
    }
    const card = (path: string) => page.locator('[data-testid="timeline-item"][data-kind="write"]', { hasText: `Write ${path}` });
    await card("../outside.txt").locator('[data-testid="action-error"]', { hasText: "outside the workspace" }).waitFor();
    expect(await card("notes.txt").locator("summary").textContent()).toBe("2 lines written");
    expect(await card("../outside.txt").locator("summary").textContent()).toBe("2 lines not written");
  }, TEST_MS);

  test("a long conversation opens on its newest cards and shows the earlier ones on request, keeping them", async () => {
    const client = await connectClient(server.wsUrl);
    const connected = await client.nextFrame((f) => f.type === "connected");
    const id = String(connected.conversation_id);
    try {
      for (let i = 0; i < TIMELINE_WINDOW + 20; i++) client.send({ action: "think", args: { thought: `thought number ${i}` } });
      await client.nextFrame((f) => f.observation === "think" && f.cause === 2 * (TIMELINE_WINDOW + 19), 30_000);
    } finally {
      client.close();
    }
    const page = await newPage();
    await page.goto(`${server.url}/conversations/${id}`);
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
    const page = await newPage();
    const id = await createConversationInUi(page, server.url);
    await runCommand(page, "echo before-reload-1");
    await finishedTerminal(page, "before-reload-1").waitFor();
    await runCommand(page, "echo before-reload-2");
    await finishedTerminal(page, "before-reload-2").waitFor();
    await expectSameEventsAsServer(page, server.url, id);
    const before = await page.locator('[data-testid="timeline-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-event-id")));

    await page.reload();
    await waitConnected(page);
    await expectSameEventsAsServer(page, server.url, id);
    const after = await page.locator('[data-testid="timeline-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-event-id")));
    expect(after).toEqual(before);
    expect(await finishedTerminal(page, "before-reload-1").count()).toBe(1);
    expect(await finishedTerminal(page, "before-reload-2").count()).toBe(1);
  }, TEST_MS);

  test("two tabs on one conversation see each other's events", async () => {
    const first = await newPage();
    const id = await createConversationInUi(first, server.url);
    const second = await newPage();
    await second.goto(`${server.url}/conversations/${id}`);
    await waitConnected(second);

    await runCommand(first, "echo from-first-tab");
    await finishedTerminal(second, "from-first-tab").waitFor();

    await second.getByTestId("chat-input").fill("hello from the second tab");
    await second.getByTestId("chat-input").press("Enter");
    await first.locator('[data-testid="chat-message"][data-role="user"]', { hasText: "hello from the second tab" }).waitFor();
    await expectSameEventsAsServer(first, server.url, id);
    await expectSameEventsAsServer(second, server.url, id);
  }, TEST_MS);

  test(
    "reconnects after a dropped connection with latest_event_id and misses nothing",
    async () => {
      const proxy = startDropProxy(server.port);
      try {
        const page = await newPage();
        const socketUrls: string[] = [];
        page.on("websocket", (ws) => socketUrls.push(ws.url()));
        const id = await createConversationInUi(page, proxy.url);
        await runCommand(page, "echo before-drop");
        await finishedTerminal(page, "before-drop").waitFor();
        await expectSameEventsAsServer(page, server.url, id);
        const maxBefore = (await serverEvents(server.url, id)).at(-1)?.id ?? -1;

        proxy.refuse(true);
        proxy.dropAll();
        await page.locator('[data-testid="connection-status"][data-status="reconnecting"]').waitFor();

        // While the page is cut off, another client adds events.
        const client = await connectClient(server.wsUrl, { conversation_id: id });
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
        await expectSameEventsAsServer(page, server.url, id);
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
    const page = await newPage(PHONE);
    await createConversationInUi(page, server.url);
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

  test("an agent task: messages, edits and commands, confirm and reject in confirmation mode; saves the main screenshot", async () => {
    const harness = await startAgentHarness({ CONFIRMATION_MODE: "true" });
    try {
      harness.script("UI-AGENT-TASK", [
        reply(text("I will write a greeting script first."), toolUse("str_replace_editor", { command: "create", path: "hello.sh", file_text: 'echo "hello, world"\n' })),
        reply(toolUse("think", { thought: "The script is written; running it shows whether it works." })),
        reply(toolUse("execute_bash", { command: "sh hello.sh" })),
        reply(toolUse("execute_bash", { command: "rm -rf ." })),
        reply(text("Then I will clean up after all."), toolUse("execute_bash", { command: "rm -rf ./" })),
        reply(toolUse("finish", { message: "`hello.sh` prints its greeting. The cleanup was refused by `rm` itself, so the script is still there." })),
      ]);
      const page = await newPage();
      await page.goto(harness.server.url);
      await page.getByTestId("chat-input").fill("UI-AGENT-TASK: write a greeting script, run it, then tidy up the workspace");
      await page.getByTestId("chat-input").press("Enter");
      await page.waitForURL(/\/conversations\/[^/]+$/);
      await waitConnected(page);
      await page.locator('[data-testid="chat-message"][data-role="user"]', { hasText: "UI-AGENT-TASK" }).waitFor();
      await page.locator('[data-testid="chat-message"][data-role="agent"]', { hasText: "greeting script first" }).waitFor();
      await page.locator('[data-testid="diff"]', { hasText: 'echo "hello, world"' }).waitFor();
      await page.locator('[data-testid="thought"]', { hasText: "running it shows" }).waitFor();
      const greeting = finishedTerminal(page, "sh hello.sh");
      await greeting.waitFor();
      expect(await greeting.getByTestId("command-output").textContent()).toContain("hello, world");

      const prompt = page.getByTestId("confirmation-prompt");
      await prompt.filter({ hasText: "rm -rf ." }).waitFor();
      await page.locator('[data-testid="agent-state"][data-state="awaiting_user_confirmation"]').waitFor();
      await page.getByTestId("reject-button").click();
      await page.locator('[data-testid="terminal"]', { hasText: "rm -rf .", has: page.locator('[data-exit="rejected"]') }).waitFor();
      // After a rejection the agent waits for a word from the user.
      await page.locator('[data-testid="agent-state"][data-state="rejected"]').waitFor();
      await page.getByTestId("chat-input").fill("Go on and clean up after all.");
      await page.getByTestId("chat-input").press("Enter");

      await prompt.filter({ hasText: "rm -rf ./" }).waitFor();
      await page.getByTestId("confirm-button").click();
      // Confirmed, it runs: rm itself refuses to remove ".", which is what the terminal shows.
      const confirmed = finishedTerminal(page, "rm -rf ./", 1);
      await confirmed.waitFor();
      expect(await confirmed.getByTestId("command-output").textContent()).toContain("refusing");
      await page.locator('[data-testid="agent-state"][data-state="finished"]').waitFor();
      await page.locator('[data-testid="timeline-item"][data-kind="finish"]', { hasText: "prints its greeting" }).waitFor();
      expect(await prompt.count()).toBe(0);

      await page.locator('[data-testid="file-entry"][data-path="hello.sh"]').click();
      await page.locator('[data-testid="file-content"]', { hasText: "hello, world" }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "ui-main.png") });
    } finally {
      await harness.stop();
    }
  }, TEST_MS);

  test("pauses, resumes and stops a running agent with the header buttons", async () => {
    const harness = await startAgentHarness();
    try {
      // The LLM never answers, so the agent stays running until the user steps in.
      harness.script("UI-PAUSE-TASK", () => ({ kind: "message", content: [], hang: true }));
      const page = await newPage();
      await page.goto(harness.server.url);
      await page.getByTestId("chat-input").fill("UI-PAUSE-TASK: think for a long time");
      await page.getByTestId("chat-input").press("Enter");
      await page.waitForURL(/\/conversations\/[^/]+$/);
      await waitConnected(page);
      await page.locator('[data-testid="agent-state"][data-state="running"]').waitFor();
      await page.getByTestId("pause-button").click();
      await page.locator('[data-testid="agent-state"][data-state="paused"]').waitFor();
      await page.getByTestId("resume-button").click();
      await page.locator('[data-testid="agent-state"][data-state="running"]').waitFor();
      await page.getByTestId("stop-button").click();
      await page.locator('[data-testid="agent-state"][data-state="stopped"]').waitFor();
      expect(await page.getByTestId("stop-button").isDisabled()).toBe(true);
      expect(await page.locator('[data-testid="timeline-item"][data-kind="change_agent_state"]').allTextContents()).toEqual([
        "You paused the agent",
        "You resumed the agent",
        "You stopped the agent",
      ]);
    } finally {
      await harness.stop();
    }
  }, TEST_MS);

  test("is not shown inside another site's page (clickjacking), but is inside its own", async () => {
    const html = (src: string) => new Response(`<!doctype html><iframe id="ui" src="${src}" width="800" height="600"></iframe>`, { headers: { "content-type": "text/html" } });
    const otherSite = serveLoopbackPage(() => html(server.url));
    try {
      const page = await newPage();
      await page.goto(`http://127.0.0.1:${otherSite.port}/`);
      const framed = page.frameLocator("#ui");
      await framed.getByTestId("framed-refusal").waitFor();
      expect(await framed.getByTestId("framed-refusal").textContent()).toContain("not shown inside another site's page");
      expect(await framed.getByTestId("new-conversation-screen").count()).toBe(0);

      // A frame of the same origin (the UI's own page holding it) still shows the app.
      await page.goto(`${server.url}/`);
      await page.evaluate((src) => {
        const frame = document.createElement("iframe");
        frame.id = "self";
        frame.src = src;
        document.body.append(frame);
      }, `${server.url}/`);
      await page.frameLocator("#self").getByTestId("new-conversation-screen").waitFor();
    } finally {
      otherSite.stop(true);
    }
  }, TEST_MS);

  test("asks for the session API key on a 401 and then uses it for HTTP and the WebSocket", async () => {
    const guarded = await startTestServer({ SESSION_API_KEY: "ui-test-key" });
    try {
      const page = await newPage();
      await page.goto(guarded.url);
      await page.getByTestId("api-key-prompt").waitFor();
      await page.getByTestId("api-key-input").fill("wrong-key");
      await page.getByTestId("api-key-submit").click();
      // The wrong key is refused and the prompt comes back, saying so.
      await page.locator('[data-testid="api-key-prompt"]', { hasText: "rejected" }).waitFor();
      await page.getByTestId("api-key-input").fill("ui-test-key");
      await page.getByTestId("api-key-submit").click();
      await page.getByTestId("api-key-prompt").waitFor({ state: "detached" });
      await createConversationInUi(page, guarded.url);
      await runCommand(page, "echo with-key");
      await finishedTerminal(page, "with-key").waitFor();
      // A link cannot send the key: the file is fetched with it and handed over as a blob.
      await runCommand(page, "printf 'k\\000ey' > key.bin && echo made-key-bin");
      await finishedTerminal(page, "made-key-bin").waitFor();
      await page.getByTestId("files-refresh").click();
      await page.locator('[data-testid="file-entry"][data-path="key.bin"]').click();
      const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("file-download").click()]);
      expect(file.suggestedFilename()).toBe("key.bin");
      const saved = tempDir();
      try {
        await file.saveAs(join(saved.path, "key.bin"));
        expect([...readFileSync(join(saved.path, "key.bin"))]).toEqual([0x6b, 0x00, 0x65, 0x79]);
      } finally {
        saved.cleanup();
      }
    } finally {
      await guarded.stop();
    }
  }, TEST_MS);
});
