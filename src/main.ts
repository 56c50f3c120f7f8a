#!/usr/bin/env bun
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { log } from "./log.ts";
import { VERSION } from "./version.ts";

const USAGE = `bunhands ${VERSION}: a server for AI coding agents

usage:
  bunhands [serve]        start the server (default)
  bunhands run "TASK"     run one task headless, printing each event as a line
  bunhands --version      print the version
  bunhands --help         this text

settings (environment variables, with defaults):`;

async function printHelp(): Promise<void> {
  const { describeSettings } = await import("./settings-help.ts");
  const settings = describeSettings();
  const nameWidth = Math.max(...settings.map((s) => s.name.length));
  const defaultWidth = Math.max(...settings.map((s) => s.default.length));
  console.log(`${USAGE}\n${settings.map((s) => `  ${s.name.padEnd(nameWidth)}  ${s.default.padEnd(defaultWidth)}  ${s.meaning}`).join("\n")}`);
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

/** A StartError (STATE_DIR held or unusable, PORT in use…) is one line naming the setting, and exit code 1. */
async function exitOnStartError(error: unknown): Promise<never> {
  const { StartError } = await import("./server/start-error.ts");
  if (!(error instanceof StartError)) throw error;
  console.error(`bunhands: ${error.message}`);
  process.exit(1);
}

async function serve(): Promise<void> {
  const config = readConfig();
  // Loaded after the settings are checked, so a bad setting fails fast with its one line.
  const { startServer } = await import("./server/server.ts");
  const handle = await startServer(config).catch(exitOnStartError);
  console.log(`bunhands ${VERSION} listening on ${handle.url}`);
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(130);
    log.info("shutting down", { signal });
    void handle.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  if (command === "--version" || command === "-v" || command === "version") return void console.log(VERSION);
  if (command === "--help" || command === "-h" || command === "help") return printHelp();
  if (command === "serve") return serve();
  if (command === "run") {
    const config = readConfig();
    const { runHeadless } = await import("./headless.ts");
    process.exit(await runHeadless(config, rest.join(" ")).catch(exitOnStartError));
  }
  console.error(`bunhands: unknown command ${JSON.stringify(command)}; see bunhands --help`);
  process.exit(2);
}

await main(process.argv.slice(2));
