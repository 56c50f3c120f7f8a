import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { browserAvailable, createConversationInUi, finishedTerminal, runCommandInUi as runCommand } from "./support/browser.ts";
import { tempDir } from "./support/temp.ts";
import { TEST_MS, useUiSuite } from "./support/ui-suite.ts";
import { answers, connectClient, isActionFrame } from "./support/ws-client.ts";

// The bundled UI, served by the real server and driven in Debian's headless Chromium (test/support/ui-suite.ts).

describe.skipIf(!browserAvailable("ui-workspace"))("the bundled UI in Chromium: commands, edits and files", () => {
  const ui = useUiSuite();

  test("runs a command from the command box and shows its output with the exit code", async () => {
    const page = await ui.newPage();
    await createConversationInUi(page, ui.server().url);
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
    const page = await ui.newPage();
    await createConversationInUi(page, ui.server().url);
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
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    const client = await connectClient(ui.server().wsUrl, { conversation_id: id });
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
      const page = await ui.newPage();
      await createConversationInUi(page, ui.server().url);
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
    const page = await ui.newPage();
    const id = await createConversationInUi(page, ui.server().url);
    const client = await connectClient(ui.server().wsUrl, { conversation_id: id });
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
});
