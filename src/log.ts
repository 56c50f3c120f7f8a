import type { Config } from "./config.ts";

export type Level = Config["LOG_LEVEL"];
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold = ORDER.info;
let mask: (text: string) => string = (t) => t;

/** Sets the level and the secret masker every line goes through. */
export function configureLog(level: Level, masker?: (text: string) => string): void {
  threshold = ORDER[level];
  if (masker) mask = masker;
}

/** One JSON object per line on stderr: easy to grep, easy to ship. */
function write(level: Exclude<Level, "silent">, msg: string, fields: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields });
  // console.error, not process.stderr.write: the first touch of process.stderr builds a Node stream
  // (node:stream and its dependencies), ~5 ms of every cold start. A lone string argument is written as is.
  console.error(mask(line));
}

/** Whether a level is written: lets a hot path skip building its fields. */
export function logs(level: Exclude<Level, "silent">): boolean {
  return ORDER[level] >= threshold;
}

export const log = {
  debug: (msg: string, fields: Record<string, unknown> = {}) => write("debug", msg, fields),
  info: (msg: string, fields: Record<string, unknown> = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Record<string, unknown> = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Record<string, unknown> = {}) => write("error", msg, fields),
};
