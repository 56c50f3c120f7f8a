import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAgentHarness } from "./support/agent-harness.ts";
import { browserAvailable, createConversationInUi, finishedTerminal, runCommandInUi as runCommand, startTaskInUi } from "./support/browser.ts";
import { serveLoopbackPage, startTestServer } from "./support/server.ts";
import { reply, text, toolUse } from "./support/fake-anthropic.ts";
import { tempDir } from "./support/temp.ts";
import { ARTIFACTS, TEST_MS, useUiSuite } from "./support/ui-suite.ts";
import { answers } from "./support/ws-client.ts";

// The bundled UI, served by the real server and driven in Debian's headless Chromium (test/support/ui-suite.ts).

describe.skipIf(!browserAvailable("ui-agent"))("the bundled UI in Chromium: the agent, and who may use it", () => {
  const ui = useUiSuite();

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
      const page = await ui.newPage();
      await startTaskInUi(page, harness.server.url, "UI-AGENT-TASK: write a greeting script, run it, then tidy up the workspace");
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

  test("confirmation mode, switched from the header or ticked on the start screen, holds the agent's risky action for the user", async () => {
    const harness = await startAgentHarness();
    try {
      harness.script("UI-TOGGLE-TASK", [reply(toolUse("execute_bash", { command: "rm -rf ." })), reply(toolUse("finish", { message: "left as it was" }))]);
      const page = await ui.newPage();
      const id = await createConversationInUi(page, harness.server.url);
      const toggle = page.getByTestId("confirmation-toggle");
      await toggle.waitFor();
      expect(await toggle.getAttribute("aria-pressed")).toBe("false");
      await toggle.click();
      await page.locator('[data-testid="confirmation-toggle"][aria-pressed="true"]').waitFor();
      const record = (await (await fetch(`${harness.server.url}/api/conversations/${id}`)).json()) as { confirmation_mode: boolean };
      expect(record.confirmation_mode).toBe(true);

      await page.getByTestId("chat-input").fill("UI-TOGGLE-TASK: tidy up");
      await page.getByTestId("chat-input").press("Enter");
      await page.getByTestId("confirmation-prompt").filter({ hasText: "rm -rf ." }).waitFor();
      await page.getByTestId("reject-button").click();
      await page.locator('[data-testid="agent-state"][data-state="rejected"]').waitFor();

      // Off again: the record says so.
      await toggle.click();
      await page.locator('[data-testid="confirmation-toggle"][aria-pressed="false"]').waitFor();
      const after = (await (await fetch(`${harness.server.url}/api/conversations/${id}`)).json()) as { confirmation_mode: boolean };
      expect(after.confirmation_mode).toBe(false);

      // Ticked on the start screen, a task's first risky action already waits.
      harness.script("UI-TICKED-TASK", [reply(toolUse("execute_bash", { command: "rm -rf ." })), reply(toolUse("finish", { message: "left as it was" }))]);
      await page.goto(harness.server.url);
      await page.getByTestId("new-confirmation-mode").check();
      await page.getByTestId("chat-input").fill("UI-TICKED-TASK: tidy up");
      await page.getByTestId("chat-input").press("Enter");
      await page.waitForURL(/\/conversations\/[^/]+$/);
      await page.getByTestId("confirmation-prompt").filter({ hasText: "rm -rf ." }).waitFor();
      await page.locator('[data-testid="confirmation-toggle"][aria-pressed="true"]').waitFor();
    } finally {
      await harness.stop();
    }
  }, TEST_MS);

  test("pauses, resumes and stops a running agent with the header buttons", async () => {
    const harness = await startAgentHarness();
    try {
      // The LLM never answers, so the agent stays running until the user steps in.
      harness.script("UI-PAUSE-TASK", () => ({ kind: "message", content: [], hang: true }));
      const page = await ui.newPage();
      await startTaskInUi(page, harness.server.url, "UI-PAUSE-TASK: think for a long time");
      await page.locator('[data-testid="agent-state"][data-state="running"]').waitFor();
      // The tab's title follows the agent, so a user in another tab sees it change.
      await page.waitForFunction(() => document.title.startsWith("Running · "));
      expect(await page.title()).toMatch(/^Running · UI-PAUSE-TASK: think for a long time · bunhands$/);
      await page.getByTestId("pause-button").click();
      await page.locator('[data-testid="agent-state"][data-state="paused"]').waitFor();
      await page.waitForFunction(() => document.title.startsWith("Paused · "));
      await page.getByTestId("resume-button").click();
      await page.locator('[data-testid="agent-state"][data-state="running"]').waitFor();
      await page.getByTestId("stop-button").click();
      await page.locator('[data-testid="agent-state"][data-state="stopped"]').waitFor();
      await page.waitForFunction(() => document.title.startsWith("Stopped · "));
      expect(await page.getByTestId("stop-button").isDisabled()).toBe(true);
      expect(await page.locator('[data-testid="timeline-item"][data-kind="change_agent_state"]').allTextContents()).toEqual([
        "You paused the agent",
        "You resumed the agent",
        "You stopped the agent",
      ]);
      // The start screen is just "bunhands" again.
      await page.getByTestId("brand-link").click();
      await page.waitForFunction(() => document.title === "bunhands");
    } finally {
      await harness.stop();
    }
  }, TEST_MS);

  test("is not shown inside another site's page (clickjacking), but is inside its own", async () => {
    const html = (src: string) => new Response(`<!doctype html><iframe id="ui" src="${src}" width="800" height="600"></iframe>`, { headers: { "content-type": "text/html" } });
    const otherSite = serveLoopbackPage(() => html(ui.server().url));
    try {
      const page = await ui.newPage();
      await page.goto(`http://127.0.0.1:${otherSite.port}/`);
      const framed = page.frameLocator("#ui");
      await framed.getByTestId("framed-refusal").waitFor();
      expect(await framed.getByTestId("framed-refusal").textContent()).toContain("not shown inside another site's page");
      expect(await framed.getByTestId("new-conversation-screen").count()).toBe(0);

      // A frame of the same origin (the UI's own page holding it) still shows the app.
      await page.goto(`${ui.server().url}/`);
      await page.evaluate((src) => {
        const frame = document.createElement("iframe");
        frame.id = "self";
        frame.src = src;
        document.body.append(frame);
      }, `${ui.server().url}/`);
      await page.frameLocator("#self").getByTestId("new-conversation-screen").waitFor();
    } finally {
      otherSite.stop(true);
    }
  }, TEST_MS);

  test("asks for the session API key on a 401 and then uses it for HTTP and the WebSocket", async () => {
    const guarded = await startTestServer({ SESSION_API_KEY: "ui-test-key" });
    try {
      const page = await ui.newPage();
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
