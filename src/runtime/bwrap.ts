import { existsSync, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../config.ts";
import { SANDBOX_WORKSPACE } from "./runtime.ts";

/** Top-level entries that get their own fresh mounts instead of the host's. */
const OWN_MOUNTS = new Set(["proc", "dev", "tmp", "run", "workspace"]);

export type BwrapOptions = {
  hostWorkspace: string;
  /** Host folders the sandbox must not see even read-only (other workspaces, the server's state). */
  hidden: string[];
  network: boolean;
};

/**
 * bubblewrap arguments for a read-only view of the host root with only the workspace writable (at
 * /workspace), a private /tmp and /run, its own pid namespace, and no network unless asked.
 *
 * The root is bwrap's own tmpfs with each top-level host folder bound read-only into it (binding `/`
 * itself would leave no place to create /workspace), then remounted read-only. /run is private so
 * the Docker socket stays out of reach.
 */
export function bwrapArgs(opts: BwrapOptions): string[] {
  const args = ["bwrap"];
  for (const name of readdirSync("/")) {
    if (OWN_MOUNTS.has(name)) continue;
    const path = `/${name}`;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else if (stat.isDirectory()) args.push("--ro-bind", path, path);
  }
  args.push("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run");
  const hidden = opts.hidden.map((p) => resolve(p)).filter((p) => p !== "/" && existsSync(p));
  for (const path of hidden) {
    // A folder inside another hidden one is hidden already.
    if (hidden.some((other) => other !== path && path.startsWith(`${other}/`))) continue;
    args.push("--tmpfs", path);
  }
  args.push("--dir", SANDBOX_WORKSPACE, "--bind", opts.hostWorkspace, SANDBOX_WORKSPACE);
  args.push("--remount-ro", "/");
  args.push("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "sandbox", "--die-with-parent");
  if (!opts.network) args.push("--unshare-net");
  args.push("--chdir", SANDBOX_WORKSPACE, "--");
  return args;
}

let probe: Promise<boolean> | undefined;

/** Whether bwrap is installed and can create its namespaces here (it cannot in some containers). */
export function bwrapWorks(): Promise<boolean> {
  probe ??= (async () => {
    const bin = Bun.which("bwrap");
    if (!bin) return false;
    try {
      const proc = Bun.spawn([bin, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--die-with-parent", "true"], {
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      });
      return (await proc.exited) === 0;
    } catch {
      return false;
    }
  })();
  return probe;
}

export type Isolation = "bwrap" | "plain";

let warned = false;

/** Chooses the local isolation from SANDBOX_BWRAP; warns once per process when it falls back to plain. */
export async function chooseIsolation(config: Pick<Config, "SANDBOX_BWRAP">): Promise<Isolation> {
  if (config.SANDBOX_BWRAP === "off") return "plain";
  if (await bwrapWorks()) return "bwrap";
  if (config.SANDBOX_BWRAP === "on") {
    throw new Error("SANDBOX_BWRAP=on but bubblewrap (bwrap) is missing or cannot create namespaces here");
  }
  if (!warned) {
    warned = true;
    console.warn(
      "warning: bubblewrap (bwrap) is not available: local commands run as plain processes with full access to this machine",
    );
  }
  return "plain";
}
