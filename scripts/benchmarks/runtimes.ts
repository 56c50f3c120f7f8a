/** `run echo hi` per runtime beside a raw Bun.spawn (local) and a raw `docker exec` (CLI and dockerode). */
import Docker from "dockerode";
import { bwrapWorks } from "../../src/runtime/bwrap.ts";
import { INSTANCE_LABEL, dockerAvailable, imageExists, instanceId } from "../../src/runtime/docker-container.ts";
import { median, notMeasured, part, record, timeEach } from "./lib.ts";
import { startBunhands } from "./process.ts";
import { type Frame, joinConversation, roundTrips, runMessage } from "./socket.ts";

const IMAGE = process.env.SANDBOX_IMAGE ?? "bunhands-sandbox:latest";
const isRunAnswer = (f: Frame) => f.observation === "run" || f.observation === "error";

async function rawSpawnMs(count: number): Promise<number> {
  const times = await timeEach(count, async () => {
    const proc = Bun.spawn(["sh", "-c", "echo hi"], { stdout: "pipe" });
    await new Response(proc.stdout).text();
    await proc.exited;
  });
  return median(times) / 1000;
}

/**
 * Warm-up round trips before measuring: a long-running server is measured, not JSC tiering up its hot
 * path (blocks of 250 round trips, local: ~580 µs p50 in the first, ~310–400 µs from the fourth on).
 */
const WARM_UP_ROUND_TRIPS = 1000;

/** Median ms of `run echo hi` over the WebSocket (after a warm-up that starts the shell and the JIT). */
export async function bunhandsRunMs(env: Record<string, string>, count: number): Promise<number> {
  const server = await startBunhands(env);
  try {
    const { ws } = await joinConversation(server.wsUrl);
    await roundTrips(ws, WARM_UP_ROUND_TRIPS, () => runMessage("echo hi"), isRunAnswer);
    const times = await roundTrips(ws, count, () => runMessage("echo hi"), isRunAnswer);
    ws.close();
    return median(times) / 1000;
  } finally {
    await server.stop();
  }
}

async function benchLocal(): Promise<void> {
  const spawnMs = await rawSpawnMs(300);
  const bwrap = await bwrapWorks();
  await part("`run echo hi` over the WebSocket, local (plain), p50", async () => {
    const ms = await bunhandsRunMs({ RUNTIME: "local", SANDBOX_BWRAP: "off" }, 2000);
    record("`run echo hi` over the WebSocket, local (plain), p50", ms, "ms", "raw Bun.spawn sh -c", spawnMs, { absolute: 0.5, lowerIsBetter: true });
  });
  if (!bwrap) return notMeasured("`run echo hi` over the WebSocket, local (bubblewrap), p50", "bwrap is not installed or cannot create namespaces here");
  await part("`run echo hi` over the WebSocket, local (bubblewrap), p50", async () => {
    const ms = await bunhandsRunMs({ RUNTIME: "local", SANDBOX_BWRAP: "on" }, 2000);
    record("`run echo hi` over the WebSocket, local (bubblewrap), p50", ms, "ms", "raw Bun.spawn sh -c", spawnMs, { absolute: 0.5, lowerIsBetter: true });
  });
}

/** A bare container of the sandbox image, for the raw exec baselines. */
async function withRawContainer<T>(docker: Docker, fn: (container: Docker.Container, createStartMs: number) => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ["sleep", "3600"], HostConfig: { NetworkMode: "none", AutoRemove: false } });
  try {
    await container.start();
    return await fn(container, performance.now() - t0);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function dockerodeExecMs(container: Docker.Container, count: number): Promise<number> {
  const times = await timeEach(count, async () => {
    const exec = await container.exec({ Cmd: ["echo", "hi"], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve, reject) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", reject);
      stream.resume();
    });
  });
  return median(times) / 1000;
}

async function cliExecMs(containerId: string, count: number): Promise<number> {
  const times = await timeEach(count, async () => {
    const proc = Bun.spawn(["docker", "exec", containerId, "echo", "hi"], { stdout: "pipe", stderr: "pipe" });
    const out = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0 || out.trim() !== "hi") throw new Error(`docker exec failed: ${await new Response(proc.stderr).text()}`);
  });
  return median(times) / 1000;
}

/** Removes the containers a stopped server left behind (labelled with its instance); returns how many. */
async function removeLeftContainers(docker: Docker, stateDir: string): Promise<number> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${instanceId({ STATE_DIR: stateDir })}`] } });
  await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
  return left.length;
}

/**
 * Ms from opening a new conversation to the answer of its first `run`, with a pre-started container
 * (POOL_SIZE=1); also how many containers the server left after its SIGTERM (they are removed here).
 */
async function firstCommandMs(docker: Docker, count: number): Promise<{ ms: number; left: number }> {
  const server = await startBunhands({ RUNTIME: "docker", POOL_SIZE: "1" });
  const times: number[] = [];
  let left = 0;
  try {
    for (let i = 0; i < count; i++) {
      // Let the pool refill between conversations, as it would between users.
      await Bun.sleep(2500);
      const t0 = performance.now();
      const { ws } = await joinConversation(server.wsUrl);
      await roundTrips(ws, 1, () => runMessage("echo hi"), isRunAnswer);
      times.push(performance.now() - t0);
      ws.close();
    }
  } finally {
    await server.stop();
    left = await removeLeftContainers(docker, server.stateDir);
    if (left) console.error(`  warning: the server left ${left} container(s) after SIGTERM (removed now)`);
  }
  return { ms: median(times), left };
}

async function benchDocker(): Promise<void> {
  const docker = new Docker();
  const figure = "`run echo hi` over the WebSocket, docker, p50";
  if (!(await dockerAvailable(docker, 3000))) return notMeasured(figure, "no Docker engine answers here");
  if (!(await imageExists(docker, IMAGE))) return notMeasured(figure, `the image ${IMAGE} is missing (scripts/sandbox-image builds it)`);
  await withRawContainer(docker, async (container, createStartMs) => {
    const dockerodeMs = await dockerodeExecMs(container, 30);
    const cliMs = await cliExecMs(container.id, 20);
    await part(figure, async () => {
      const ms = await bunhandsRunMs({ RUNTIME: "docker", POOL_SIZE: "0" }, 1000);
      record(`${figure} (vs docker exec CLI)`, ms, "ms", "raw `docker exec` CLI", cliMs, { absolute: 5, lowerIsBetter: true });
      record(`${figure} (vs dockerode exec)`, ms, "ms", "raw dockerode exec", dockerodeMs, { absolute: 5, lowerIsBetter: true });
    });
    await part("docker: new conversation's first `run` (POOL_SIZE=1), median of 3", async () => {
      const { ms, left } = await firstCommandMs(docker, 3);
      record("docker: new conversation → first `run` answered (POOL_SIZE=1), median of 3", ms, "ms", "raw container create + start", createStartMs, { absolute: 50, lowerIsBetter: true });
      record("docker: containers left behind after SIGTERM (POOL_SIZE=1)", left, "container(s)", "none expected", 0, { absolute: 0, lowerIsBetter: true });
    });
  });
}

export async function benchRuntimes(): Promise<void> {
  console.error("runtimes: local");
  await benchLocal();
  console.error("runtimes: docker");
  await benchDocker();
}
