#!/usr/bin/env bun
import { ConfigError, describeSettings, loadConfig, type Config } from "./config.ts";
import { log } from "./log.ts";
import type { Listener } from "./server/listener.ts";
import { VERSION } from "./version.ts";

const USAGE = `bunhands ${VERSION}: a server for AI coding agents

usage:
  bunhands [serve]        start the server (default)
  bunhands run "TASK"     run one task headless, printing each event as a line
  bunhands --version      print the version
  bunhands --help         this text

settings (environment variables, with defaults):`;

function printHelp(): void {
  const settings = describeSettings();
  const width = Math.max(...settings.map((s) => s.name.length));
  console.log(`${USAGE}\n${settings.map((s) => `  ${s.name.padEnd(width)}  ${s.default}`).join("\n")}`);
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`bunhands: ${error.message}`);
    process.exit(2);
  }
}

async function serve(): Promise<void> {
  const config = readConfig();
  // Loaded after the settings are checked, so a bad setting fails fast with its one line.
  const { listen } = await import("./server/listener.ts");
  const { StateDirInUseError } = await import("./server/state-lock.ts");
  let listener: Listener;
  try {
    listener = listen(config);
  } catch (error) {
    if (!(error instanceof StateDirInUseError)) throw error;
    console.error(`bunhands: ${error.message}`);
    process.exit(1);
  }
  console.log(`bunhands ${VERSION} listening on ${listener.url}`);
  let stop = async () => listener.close();
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(130);
    log.info("shutting down", { signal });
    void stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // The port answers /health already; the rest of the server loads while it does (listener.ts).
  const { loadServerModules } = await import("./server/warm-up.ts");
  try {
    const { attachApp } = await loadServerModules();
    const handle = await attachApp(config, listener);
    stop = handle.stop;
  } catch (error) {
    listener.fail(error);
    console.error(`bunhands: the server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  if (command === "--version" || command === "-v" || command === "version") return void console.log(VERSION);
  if (command === "--help" || command === "-h" || command === "help") return printHelp();
  if (command === "serve") return serve();
  if (command === "run") {
    const { runHeadless } = await import("./headless.ts");
    process.exit(await runHeadless(readConfig(), rest.join(" ")));
  }
  console.error(`bunhands: unknown command ${JSON.stringify(command)}; see bunhands --help`);
  process.exit(2);
}

await main(process.argv.slice(2));
