/** The compiled binary: rebuilt with scripts/build unless dist/bunhands is newer than every source file. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib.ts";

export const BINARY = join(ROOT, "dist", "bunhands");

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtimeMs(join(path, name)));
  }
  return newest;
}

/** Whether dist/bunhands exists and no input of the build is newer. */
export function binaryIsFresh(): boolean {
  try {
    const built = statSync(BINARY).mtimeMs;
    const inputs = ["src", "frontend", "package.json", "bun.lock", "tsconfig.json", "scripts/build"].map((p) => join(ROOT, p));
    return inputs.every((p) => newestMtimeMs(p) <= built);
  } catch {
    return false;
  }
}

/** Runs scripts/build when the binary is missing or stale; returns its path. */
export async function ensureBinary(): Promise<string> {
  if (binaryIsFresh()) return BINARY;
  const build = Bun.spawn([join(ROOT, "scripts", "build")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`scripts/build failed (exit ${code}): ${(err || out).slice(-2000)}`);
  return BINARY;
}
