import { posix } from "node:path";
import { SANDBOX_WORKSPACE } from "../runtime/runtime.ts";

/**
 * What a path in a command or an action points at. Paths are judged by their text only (no file
 * system access): `~` and `$HOME` are the home directory, relative paths start in the workspace
 * (or in the directory an earlier `cd` of the same command moved to).
 */
export type PathKind =
  | "root" // `/`, `/*`
  | "home" // the home directory itself
  | "workspace" // the workspace root itself (`.`, `*`, `/workspace`)
  | "parent" // a directory above the workspace (`..`, `../*`): every conversation's folder
  | "system" // /etc, /usr, /bin, … and the top-level folders themselves
  | "disk" // a block or memory device
  | "network" // bash's /dev/tcp and /dev/udp
  | "startup" // shell startup files and credential folders in the home directory
  | "outside" // elsewhere outside the workspace
  | "variable" // starts with a variable or substitution whose value is unknown
  | "temp" // /tmp, /var/tmp, harmless devices such as /dev/null
  | "inside"; // inside the workspace

export interface PathContext {
  /** Absolute workspace roots: `/workspace` and the conversation's real workspace when known. */
  workspaceRoots: readonly string[];
  /** Directory changed to by an earlier `cd`, relative to the workspace or absolute; null: the workspace. */
  cwd?: string | null;
}

const SYSTEM_DIRS = ["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/sys", "/proc", "/root", "/var", "/opt", "/srv", "/snap", "/dev"];
/** Top-level folders whose contents are user data, but which must not be removed whole. */
const TOP_LEVEL_ONLY = ["/home", "/mnt", "/media", "/run"];
const TEMP_DIRS = ["/tmp", "/var/tmp", "/dev/shm"];
const HARMLESS_DEVICE = /^\/dev\/(null|zero|full|u?random|stdin|stdout|stderr|tty|ptmx|console|fd\/\d+|pts\/\d+)$/;
const DISK_DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|loop|md|dm-|sr|nbd|rbd|mapper\/|mem$|kmem$|port$)/;
export const NETWORK_DEVICE = /^\/dev\/(tcp|udp)\/([^/]+)\/(\d+)/;
const STARTUP_FILE =
  /^~\/(\.bashrc|\.bash_profile|\.bash_login|\.bash_logout|\.profile|\.zshrc|\.zshenv|\.zprofile|\.zlogin|\.config\/fish(\/|$)|\.config\/autostart(\/|$)|\.ssh(\/|$)|\.gitconfig$|\.npmrc$|\.pypirc$|\.netrc$|\.gnupg(\/|$)|\.aws(\/|$)|\.kube(\/|$)|\.docker(\/|$)|\.local\/bin(\/|$))/;
const SECRET_PATHS = [
  /(^|\/)\.ssh(\/|$)/,
  /(^|\/)id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/,
  /^\/etc\/(shadow|gshadow|master\.passwd|sudoers)(-|$)/,
  /^\/etc\/sudoers\.d(\/|$)/,
  /(^|\/)\.aws\/(credentials|config)$/,
  /(^|\/)\.(netrc|git-credentials|pgpass)$/,
  /(^|\/)\.docker\/config\.json$/,
  /(^|\/)\.kube\/config$/,
  /(^|\/)\.gnupg(\/|$)/,
  /(^|\/)\.config\/gh\/hosts\.yml$/,
  /^~\/\.(npmrc|pypirc)$/,
  /^\/proc\/[^/]+\/environ$/,
  /^\/(var\/)?run\/secrets(\/|$)/,
];

/** `$HOME/x` → `~/x`, `~root` → `/root`, relative paths joined onto the `cd` directory, `.` and `..` folded. */
export function normalizePath(text: string, cwd: string | null = null): string {
  let path = text
    .replace(/^\$HOME(?=\/|$)/, "~")
    .replace(/^\$PWD(?=\/|$)/, ".")
    .replace(/^~root(?=\/|$)/, "/root")
    .replace(/^~([A-Za-z_][\w.-]*)(?=\/|$)/, "/home/$1");
  if (cwd && !path.startsWith("/") && !path.startsWith("~") && !path.startsWith("$")) path = `${cwd}/${path}`;
  if (path === "~" || path.startsWith("~/")) {
    const rest = posix.normalize(`/${path.slice(1)}`);
    return rest === "/" ? "~" : `~${stripTrailingSlash(rest)}`;
  }
  return stripTrailingSlash(posix.normalize(path === "" ? "." : path));
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
}

export function classifyPath(text: string, ctx: PathContext): PathKind {
  const path = normalizePath(text, ctx.cwd ?? null);
  // `$DIR/…` becomes `/…` when DIR is empty; a bare `$f` is just an unknown name.
  if (path.startsWith("$")) return /^\$\w+\//.test(text) ? "variable" : "inside";
  if (path === "/" || path === "/*" || path === "/.*") return "root";
  if (path === "~" || path === "~/*" || path === "~/.*") return "home";
  if (path.startsWith("~/")) return STARTUP_FILE.test(path) ? "startup" : "outside";
  if (!path.startsWith("/")) {
    if (path === "." || path === "*" || path === ".*") return "workspace";
    if (/^\.\.(\/\.\.)*(\/\*|\/\.\*)?$/.test(path)) return "parent";
    return path === ".." || path.startsWith("../") ? "outside" : "inside";
  }
  for (const root of ctx.workspaceRoots) {
    if (path === root || path === `${root}/*` || path === `${root}/.*`) return "workspace";
    if (isUnder(path, root)) return "inside";
  }
  if (NETWORK_DEVICE.test(path)) return "network";
  if (HARMLESS_DEVICE.test(path)) return "temp";
  if (DISK_DEVICE.test(path)) return "disk";
  if (TEMP_DIRS.some((dir) => isUnder(path, dir))) return "temp";
  if (SYSTEM_DIRS.some((dir) => isUnder(path, dir))) return "system";
  if (TOP_LEVEL_ONLY.some((dir) => path === dir || path === `${dir}/*`)) return "system";
  return "outside";
}

/** Keys, credentials and password databases. */
export function isSecretPath(text: string, cwd: string | null = null): boolean {
  const path = normalizePath(text, cwd);
  return SECRET_PATHS.some((pattern) => pattern.test(path));
}

/** True when a word reads as a file path rather than a bare name or pattern. */
export function looksLikePath(text: string): boolean {
  return text.includes("/") || text.startsWith("~") || text.startsWith(".") || /^id_(rsa|dsa|ecdsa|ed25519)$/.test(text);
}

export function workspaceRoots(workspace: string | undefined): string[] {
  const roots = [SANDBOX_WORKSPACE];
  if (workspace && workspace.startsWith("/")) roots.push(stripTrailingSlash(posix.normalize(workspace)));
  return roots;
}
