/** The shell protocol's pure parts: quoting, chunking, marker parsing, bounded output. */
import { describe, expect, test } from "bun:test";
import { OutputWindow } from "../src/runtime/output-window.ts";
import { truncateMiddle } from "../src/runtime/runtime.ts";
import { MarkerScanner, ansiC, controlKey, encodeCommand, newNonce } from "../src/runtime/shell-protocol.ts";

describe("shell protocol", () => {
  test("ansiC leaves no raw control character and round-trips through bash", async () => {
    const text = "it's a \\ back\tslash\nnew line \x03\x04\x1a\x7f é ✓";
    const quoted = ansiC(text);
    expect(/[\x00-\x1f\x7f]/.test(quoted)).toBe(false);
    const proc = Bun.spawn(["bash", "-c", `printf '%s' ${quoted}`], { stdout: "pipe" });
    expect(await new Response(proc.stdout).text()).toBe(text);
  });

  test("long commands go in terminal-sized lines, NUL bytes dropped", () => {
    const nonce = newNonce();
    const lines = encodeCommand(`echo ${"é".repeat(5000)}\0`, nonce).split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThan(4095);
    expect(lines.at(-1)).toContain(nonce.literal);
    expect(lines.join("\n")).not.toContain(nonce.token);
    expect(lines.join("")).not.toContain("\0");
  });

  test("control keys", () => {
    expect(controlKey("C-c")).toBe("\x03");
    expect(controlKey(" C-d ")).toBe("\x04");
    expect(controlKey("C-z")).toBe("\x1a");
    expect(controlKey("C-cc")).toBeUndefined();
    expect(controlKey("echo C-c")).toBeUndefined();
  });

  test("the marker is found across chunk boundaries, output before it kept exactly", () => {
    const { token } = newNonce();
    const stream = `out${token.slice(0, 5)}put ${token} 42 /a dir/with${token}\nafter`;
    const scanner = new MarkerScanner(token);
    let output = "";
    let found: { exitCode: number; cwd: string } | undefined;
    let rest = "";
    for (const ch of stream) {
      if (found) {
        rest += ch;
        continue;
      }
      const step = scanner.feed(ch);
      output += step.output;
      if (step.marker) {
        found = step.marker;
        rest = step.rest ?? "";
      }
    }
    expect(output).toBe(`out${token.slice(0, 5)}put `);
    expect(found).toEqual({ exitCode: 42, cwd: "/a dir/with" });
    expect(rest).toBe("after");
  });

  test("a lone token printed by a command is output, not a marker", () => {
    const { token } = newNonce();
    const scanner = new MarkerScanner(token);
    const first = scanner.feed(`${token} not a marker\n${"x".repeat(20_000)}`);
    expect(first.marker).toBeUndefined();
    expect(first.output + scanner.flush()).toBe(`${token} not a marker\n${"x".repeat(20_000)}`);
  });
});

describe("OutputWindow", () => {
  test("matches truncateMiddle when nothing was dropped", () => {
    const window = new OutputWindow(300);
    const text = "abcdefghij".repeat(50);
    for (let i = 0; i < text.length; i += 7) window.push(text.slice(i, i + 7));
    expect(window.take()).toBe(truncateMiddle(text, 300));
    expect(window.take()).toBe("");
  });

  test("keeps memory bounded and counts what was cut", () => {
    const window = new OutputWindow(1000);
    const chunk = "0123456789".repeat(100);
    for (let i = 0; i < 10_000; i++) window.push(chunk);
    window.push("THE END");
    const out = window.take();
    expect(out.length).toBeLessThanOrEqual(1000 + 60);
    expect(out.startsWith("0123456789")).toBe(true);
    expect(out.endsWith("THE END")).toBe(true);
    expect(out).toContain(`[... ${10_000_007 - 900} characters truncated ...]`);
  });
});
