/**
 * One spec for every sandbox: the same cases against local-plain, local-bwrap and docker, on real
 * processes and real containers. Soft timeout is 1 s here, so "still running" answers come quickly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Docker from "dockerode";
import { createRuntime, shutdownRuntimes } from "../src/runtime/create.ts";
import { containerName, instanceId, removeOrphanContainers, startContainer } from "../src/runtime/docker-container.ts";
import { ContainerPool } from "../src/runtime/docker-pool.ts";
import { DockerRuntime, SandboxUnavailableError } from "../src/runtime/docker.ts";
import type { Runtime } from "../src/runtime/runtime.ts";
import { CommandStillRunningError, NoCommandRunningError, ShellStartError } from "../src/runtime/shell-errors.ts";
import {
  type RuntimeSettings,
  type SandboxBase,
  type VariantName,
  announceMissing,
  inCI,
  makeRuntime,
  makeSandboxBase,
  sandboxVariants,
  testDocker,
} from "./support/sandbox-env.ts";

const variants = await sandboxVariants();

/** Real containers start in ~0.5 s but a shared 2-core machine can make that several seconds. */
const TIMEOUT_MS = 60_000;

/** A host-side check that no process whose command line contains `needle` is left. */
async function hostProcessesMatching(needle: string): Promise<string[]> {
  const proc = Bun.spawn(["pgrep", "-af", needle], { stdout: "pipe", stderr: "ignore" });
  const text = await new Response(proc.stdout).text();
  await proc.exited;
  return text
    .split("\n")
    .filter((line) => line.trim() && !line.includes("pgrep"));
}

for (const variant of variants) {
  if (variant.missing) {
    announceMissing(variant);
    if (inCI) {
      test(`${variant.name} sandbox is available (required under CI=true)`, () => {
        throw new Error(`${variant.name}: ${variant.missing}`);
      });
    }
    continue;
  }
  defineSpec(variant.name);
}

/** The conversation id a test runtime was made with (its workspace folder's name). */
function containerNameId(runtime: Runtime): string {
  return runtime.hostWorkspace.split("/").at(-1) ?? "";
}

type CaseFn = (title: string, fn: () => Promise<void>, timeoutMs?: number) => void;

/** Defines a case only for the variants it applies to (no "skipped" entries for the others). */
function caseWhere(applies: boolean): CaseFn {
  return applies ? test : () => undefined;
}

function defineSpec(name: VariantName): void {
  const isolated = name !== "local-plain";

  describe(`runtime spec: ${name}`, () => {
    let base: SandboxBase;
    let shared: Runtime;
    const opened: Runtime[] = [];

    const open = async (settings: RuntimeSettings = {}): Promise<Runtime> => {
      const runtime = makeRuntime(name, base, settings);
      opened.push(runtime);
      await runtime.start();
      return runtime;
    };

    beforeAll(async () => {
      base = await makeSandboxBase();
      shared = await open();
    }, TIMEOUT_MS);

    afterAll(async () => {
      await Promise.all(opened.map((r) => r.close()));
      await base.cleanup();
    }, TIMEOUT_MS);

    test("cd, exported variables and functions persist; working_dir follows cd", async () => {
      const first = await shared.run({ command: "mkdir -p sub && cd sub && export GREETING=hello && greet() { echo \"$GREETING $1\"; }" });
      expect(first.exit_code).toBe(0);
      expect(first.working_dir).toBe(`${shared.sandboxWorkspace}/sub`);
      const second = await shared.run({ command: "pwd; greet world" });
      expect(second.output).toBe(`${shared.sandboxWorkspace}/sub\nhello world\n`);
      expect(second.exit_code).toBe(0);
      expect(second.running).toBe(false);
      expect(second.timed_out).toBe(false);
      await shared.run({ command: "cd .." });
    }, TIMEOUT_MS);

    test("exit codes come from the command, whatever it prints", async () => {
      expect((await shared.run({ command: "false" })).exit_code).toBe(1);
      expect((await shared.run({ command: "(exit 7)" })).exit_code).toBe(7);
      expect((await shared.run({ command: "echo 0; echo 'exit_code 0'; (exit 3)" })).exit_code).toBe(3);
      const syntax = await shared.run({ command: "if then fi" });
      expect(syntax.exit_code).toBe(2);
      expect(syntax.output).toContain("syntax error");
      // Quotes, backslashes, control characters and a multi-line heredoc survive the trip unchanged.
      const tricky = `printf '%s\\n' "it's" 'a\\b' "$(printf 'x\\001y' | od -An -c | tr -s ' ')"`;
      expect((await shared.run({ command: tricky })).output).toBe("it's\na\\b\n x 001 y\n");
      const body = "line one\n$NOT_EXPANDED `nor this`\n".repeat(400);
      const heredoc = await shared.run({ command: `cat > big.txt <<'EOF'\n${body}EOF\nwc -c < big.txt` });
      expect(heredoc.output.trim()).toBe(String(Buffer.byteLength(body)));
      expect(await readFile(join(shared.hostWorkspace, "big.txt"), "utf8")).toBe(body);
    }, TIMEOUT_MS);

    test("soft timeout answers running; empty waits again; is_input feeds stdin; others are refused", async () => {
      const started = await shared.run({ command: "echo before; read -r answer; echo \"got:$answer\"" });
      expect(started).toMatchObject({ output: "before\n", exit_code: -1, running: true, timed_out: false });
      expect(shared.busy).toBe(true);
      const again = await shared.run({ command: "" });
      expect(again).toMatchObject({ output: "", exit_code: -1, running: true });
      await expect(shared.run({ command: "echo other" })).rejects.toBeInstanceOf(CommandStillRunningError);
      const fed = await shared.run({ command: "forty-two", is_input: true });
      expect(fed).toMatchObject({ output: "got:forty-two\n", exit_code: 0, running: false });
      expect(shared.busy).toBe(false);
      // The variable the command read lives on in the shell; the next command was not eaten.
      expect((await shared.run({ command: "echo \"$answer\"" })).output).toBe("forty-two\n");
      await expect(shared.run({ command: "stray", is_input: true })).rejects.toBeInstanceOf(NoCommandRunningError);
    }, TIMEOUT_MS);

    test("C-c interrupts the running command; C-d ends its input", async () => {
      const sleeping = await shared.run({ command: "sleep 300" });
      expect(sleeping.running).toBe(true);
      const interrupted = await shared.run({ command: "C-c", is_input: true });
      expect(interrupted).toMatchObject({ exit_code: 130, running: false });
      const cat = await shared.run({ command: "cat" });
      expect(cat.running).toBe(true);
      // cat echoes the line as soon as the terminal delivers it; then it waits for more.
      const echoed = await shared.run({ command: "some text", is_input: true });
      expect(echoed).toMatchObject({ output: "some text\n", exit_code: -1, running: true });
      const ended = await shared.run({ command: "C-d", is_input: true });
      expect(ended).toMatchObject({ output: "", exit_code: 0, running: false });
    }, TIMEOUT_MS);

    test("C-c sent while the command is still within its soft timeout interrupts it at once; both runs are answered", async () => {
      const runtime = await open({ softTimeoutS: 20 });
      const started = performance.now();
      const sleeping = runtime.run({ command: "echo going; sleep 300" });
      await Bun.sleep(300);
      const interrupted = await runtime.run({ command: "C-c", is_input: true });
      const original = await sleeping;
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(original).toMatchObject({ exit_code: 130, running: false });
      expect(original.output).toContain("going");
      expect(interrupted).toMatchObject({ exit_code: 130, running: false });
      expect((await runtime.run({ command: "echo after" })).output).toBe("after\n");
    }, TIMEOUT_MS);

    test("a background job that reads stdin does not eat later commands", async () => {
      await shared.run({ command: "cat > /dev/null &" });
      const next = await shared.run({ command: "echo still-here" });
      expect(next.output).toContain("still-here");
      expect(next.exit_code).toBe(0);
      await shared.run({ command: "kill -9 %1; wait %1; true" });
    }, TIMEOUT_MS);

    test("the hard timeout kills the command's whole process group; the shell stays usable", async () => {
      const runtime = await open({ softTimeoutS: 1 });
      await runtime.run({ command: "cd /tmp && export KEEP=kept" });
      // Prints every 0.2 s, so only the hard limit (2 s) can end it; the child sleep is in its group.
      const loop = "sh -c 'sleep 6123 & while :; do echo tick; sleep 0.2; done'";
      const killed = await runtime.run({ command: loop, timeout: 2 });
      expect(killed).toMatchObject({ exit_code: -1, timed_out: true, running: false });
      expect(killed.output).toContain("tick");
      const after = await runtime.run({ command: "pwd; echo $KEEP; ps -o pid,args 2>/dev/null || ps" });
      expect(after.output).toStartWith("/tmp\nkept\n");
      expect(after.output).not.toContain("sleep 6123");
      if (name !== "docker") expect(await hostProcessesMatching("sleep 6123")).toEqual([]);
    }, TIMEOUT_MS);

    test("a shell-builtin loop past the hard timeout is interrupted: the shell keeps its directory and exports", async () => {
      const runtime = await open();
      await runtime.run({ command: "mkdir -p deep/er && cd deep/er && export KEEP=kept" });
      const stopped = await runtime.run({ command: "while :; do echo spin; done", timeout: 2 });
      expect(stopped).toMatchObject({ exit_code: -1, timed_out: true, running: false });
      const after = await runtime.run({ command: "pwd; echo \"${KEEP:-lost}\"" });
      expect(after).toMatchObject({ output: `${runtime.sandboxWorkspace}/deep/er\nkept\n`, exit_code: 0 });
    }, TIMEOUT_MS);

    test("a shell-builtin loop that ignores C-c restarts the shell in the same directory", async () => {
      const runtime = await open();
      await runtime.run({ command: "mkdir -p deep/er && cd deep/er" });
      const killed = await runtime.run({ command: "trap '' INT; while :; do echo spin; done", timeout: 2 });
      expect(killed).toMatchObject({ exit_code: -1, timed_out: true, running: false });
      const after = await runtime.run({ command: "pwd" });
      expect(after).toMatchObject({ output: `${runtime.sandboxWorkspace}/deep/er\n`, exit_code: 0 });
    }, TIMEOUT_MS);

    test("exec bash replaces the shell and the conversation goes on: exports and directory kept, commands answered", async () => {
      const runtime = await open();
      await runtime.run({ command: "mkdir -p here && cd here && export KEPT=yes && LOCAL=set" });
      const replaced = await runtime.run({ command: "exec bash" });
      expect(replaced).toMatchObject({ exit_code: 0, running: false, timed_out: false });
      const after = await runtime.run({ command: 'echo "${KEPT:-lost} ${LOCAL:-lost}"; pwd; false' });
      expect(after).toMatchObject({ output: `yes lost\n${runtime.sandboxWorkspace}/here\n`, exit_code: 1, running: false });
    }, TIMEOUT_MS);

    test("an interactive bash a command starts is that command, running, until it exits", async () => {
      const runtime = await open();
      const nested = await runtime.run({ command: "bash --norc -i" });
      expect(nested).toMatchObject({ exit_code: -1, running: true });
      const inside = await runtime.run({ command: "echo inside", is_input: true });
      expect(inside).toMatchObject({ running: true });
      expect(inside.output).toContain("inside");
      const out = await runtime.run({ command: "exit 3", is_input: true });
      expect(out).toMatchObject({ exit_code: 3, running: false });
      expect((await runtime.run({ command: "echo back" })).output).toBe("back\n");
    }, TIMEOUT_MS);

    test("output is capped in the middle, with the cut counted, even for 10 MB", async () => {
      // A fresh shell: job notices of earlier tests' background jobs may still arrive on the shared one.
      const runtime = await open();
      const result = await runtime.run({ command: "head -c 10000000 /dev/zero | tr '\\0' a; echo; echo END" });
      expect(result.exit_code).toBe(0);
      expect(result.output.length).toBeLessThanOrEqual(5000 + 60);
      expect(result.output.slice(0, 10)).toBe("aaaaaaaaaa");
      expect(result.output.slice(-10)).toBe("aaaaa\nEND\n");
      // 10,000,005 characters, 4,900 kept (the cap minus 100 for the marker).
      expect(result.output).toContain(`[... ${10_000_005 - 4900} characters truncated ...]`);
    }, TIMEOUT_MS);

    test("two conversations run commands at once, independently", async () => {
      const a = await open();
      const b = await open();
      const blocked = await a.run({ command: "cd /tmp; read -r x; echo \"a:$x\"" });
      expect(blocked.running).toBe(true);
      // While a's command waits for input, b works normally, in parallel with itself.
      const [one, two] = await Promise.all([
        b.run({ command: "seq 1 3" }),
        a.run({ command: "from-test", is_input: true }),
      ]);
      expect(one).toMatchObject({ output: "1\n2\n3\n", exit_code: 0 });
      expect(two).toMatchObject({ output: "a:from-test\n", exit_code: 0 });
      expect((await b.run({ command: "pwd" })).output).toBe(`${b.sandboxWorkspace}\n`);
    }, TIMEOUT_MS);

    test("close() leaves no process (and no container) behind", async () => {
      const runtime = await open();
      await runtime.run({ command: "sleep 7345 > /dev/null 2>&1 &" });
      await runtime.run({ command: "nohup sleep 7346 > /dev/null 2>&1 &" });
      const containerId = name === "docker" ? (runtime as DockerRuntime).containerId : undefined;
      await runtime.close();
      await runtime.close();
      if (name === "docker") {
        expect(containerId).toBeString();
        const gone = await testDocker()
          .getContainer(containerId ?? "")
          .inspect()
          .then(() => false)
          .catch((error: { statusCode?: number }) => error.statusCode === 404);
        expect(gone).toBe(true);
      } else {
        expect(await hostProcessesMatching("sleep 734[56]")).toEqual([]);
      }
    }, TIMEOUT_MS);

    caseWhere(isolated)("writes outside the workspace fail and sibling workspaces are out of sight", async () => {
      const sibling = join(base.config.WORKSPACE_BASE, "sibling");
      await mkdir(sibling, { recursive: true });
      await writeFile(join(sibling, "secret.txt"), "sibling secret");
      const result = await shared.run({
        command: `touch /etc/bunhands-escape 2>/dev/null && echo wrote-etc; cat ${sibling}/secret.txt 2>/dev/null; ls ${base.config.WORKSPACE_BASE} 2>/dev/null; ln -sf /etc/hostname link && echo inside > link-target; echo done`,
      });
      // Docker's root filesystem is the container's own (writable, as users of OpenHands expect);
      // bubblewrap's is the host's, read-only. Either way the host's /etc is untouched.
      if (name === "local-bwrap") expect(result.output).not.toContain("wrote-etc");
      expect(result.output).not.toContain("sibling secret");
      expect(result.output).not.toContain("sibling\n");
      expect(result.output).toContain("done");
      expect(existsSync("/etc/bunhands-escape")).toBe(false);
    }, TIMEOUT_MS);

    caseWhere(isolated)("SANDBOX_NETWORK=none: the host's loopback is out of reach", async () => {
      const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("host") });
      try {
        const result = await shared.run({
          command: `(exec 3<>/dev/tcp/127.0.0.1/${server.port} && echo reached) 2>/dev/null || echo unreachable`,
        });
        expect(result.output).toBe("unreachable\n");
      } finally {
        server.stop(true);
      }
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("a fork bomb-ish loop is bounded by the pids limit", async () => {
      // Spawning into the limit can be slow and quiet: no soft timeout here.
      const runtime = await open({ defaultTimeoutS: 30, softTimeoutS: 30 });
      // busybox sh gives up on a failed fork at once (bash would retry); counting and killing use
      // bash builtins only, since no fork is possible while the limit is reached.
      const spawn = "sh -c 'for i in $(seq 1 200); do sleep 600 & done' > /dev/null 2>&1";
      const count = [
        "n=0; pids=''",
        'for f in /proc/[0-9]*/cmdline; do mapfile -d \'\' a < "$f" 2>/dev/null; if [ "${a[0]}" = sleep ] && [ "${a[1]}" = 600 ]; then n=$((n+1)); x=${f#/proc/}; pids="$pids ${x%/cmdline}"; fi; done',
        'echo "count=$n"; kill -9 $pids',
      ].join("; ");
      const result = await runtime.run({ command: `${spawn}; ${count}` });
      const found = /count=(\d+)/.exec(result.output);
      expect(found).not.toBeNull();
      const sleeping = Number(found?.[1]);
      expect(sleeping).toBeGreaterThan(10);
      expect(sleeping).toBeLessThanOrEqual(64);
      expect((await runtime.run({ command: "echo alive" })).output).toContain("alive");
      await runtime.close();
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("a pooled container becomes the conversation's, seeing only its folder", async () => {
      const pool = new ContainerPool(testDocker(), base.config, base.config.WORKSPACE_BASE, 1);
      try {
        await pool.warm();
        expect(pool.available).toBe(1);
        const runtime = await open({ pool });
        expect(pool.available).toBe(0);
        await writeFile(join(runtime.hostWorkspace, "from-host.txt"), "hello from host");
        const seen = await runtime.run({ command: "cat /workspace/from-host.txt; echo; ls /workspace; echo made > made.txt" });
        expect(seen.output).toBe("hello from host\nfrom-host.txt\n");
        expect(await readFile(join(runtime.hostWorkspace, "made.txt"), "utf8")).toBe("made\n");
        await runtime.close();
      } finally {
        await pool.close();
      }
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("a container removed behind the runtime's back is replaced", async () => {
      const runtime = (await open()) as DockerRuntime;
      const first = runtime.containerId;
      await testDocker().getContainer(first ?? "").remove({ force: true });
      const result = await runtime.run({ command: "echo back" });
      // Either the command raced the removal (an exit notice), or it ran in the new container.
      const again = result.output.includes("back") ? result : await runtime.run({ command: "echo back" });
      expect(again).toMatchObject({ output: "back\n", exit_code: 0 });
      expect(runtime.containerId).toBeString();
      expect(runtime.containerId).not.toBe(first);
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("an engine that does not answer gives a ShellStartError, not a crash", async () => {
      const nowhere = new Docker({ socketPath: join(base.dir, "no-docker.sock") });
      const runtime = new DockerRuntime({
        conversationId: "unreachable",
        hostWorkspace: join(base.config.WORKSPACE_BASE, "unreachable"),
        defaultTimeoutS: 5,
        softTimeoutS: 1,
        outputCapChars: 1000,
        config: base.config,
        docker: nowhere,
      });
      await expect(runtime.start()).rejects.toBeInstanceOf(SandboxUnavailableError);
      const failure = await runtime.run({ command: "echo hi" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ShellStartError);
      expect(String((failure as Error).message)).toContain("Docker sandbox is unavailable");
      await runtime.close();
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("a live conversation's container is re-attached; orphans are removed", async () => {
      const docker = testDocker();
      const first = (await open()) as DockerRuntime;
      await first.run({ command: "echo kept > /tmp/state" });
      // A new runtime for the same conversation (as after a server restart) finds the same container.
      const again = new DockerRuntime({
        conversationId: containerNameId(first),
        hostWorkspace: first.hostWorkspace,
        defaultTimeoutS: 5,
        softTimeoutS: 1,
        outputCapChars: 1000,
        config: base.config,
        docker,
      });
      opened.push(again);
      expect((await again.run({ command: "cat /tmp/state" })).output).toBe("kept\n");
      expect(again.containerId).toBe(first.containerId);

      const orphanDir = join(base.config.WORKSPACE_BASE, "orphan");
      await mkdir(orphanDir, { recursive: true });
      const orphan = await startContainer(docker, base.config, orphanDir, containerName(`orphan-${process.pid}`), {
        "bunhands.conversation": `orphan-${process.pid}`,
      });
      const live = new Set(opened.map(containerNameId));
      const removed = await removeOrphanContainers(docker, live, instanceId(base.config));
      expect(removed).toBe(1);
      const orphanGone = await orphan.inspect().then(() => false, (e: { statusCode?: number }) => e.statusCode === 404);
      expect(orphanGone).toBe(true);
      expect((await docker.getContainer(first.containerId ?? "").inspect()).State.Running).toBe(true);
    }, TIMEOUT_MS);

    caseWhere(name === "docker")("createRuntime('auto') picks Docker when the engine and image are ready", async () => {
      const runtime = await createRuntime("auto", {
        conversationId: `auto-${process.pid}`,
        hostWorkspace: join(base.config.WORKSPACE_BASE, "auto"),
        defaultTimeoutS: 5,
        softTimeoutS: 1,
        outputCapChars: 1000,
        config: base.config,
      });
      opened.push(runtime);
      expect(runtime.kind).toBe("docker");
      expect((await runtime.run({ command: "pwd" })).output).toBe("/workspace\n");
      await runtime.close();
      await shutdownRuntimes();
    }, TIMEOUT_MS);
  });
}
