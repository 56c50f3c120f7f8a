import { hasFlag, parseArgs, valuesOf } from "../args.ts";
import { classifyPath, type PathKind } from "../paths.ts";
import { type InvocationRule, pathContext } from "./rule.ts";

/** Gaining or handing out privileges: sudo and friends, permissions and owners of system paths, setuid, accounts, mounts, privileged containers. */

const ELEVATORS = new Set(["sudo", "su", "doas", "pkexec", "runuser", "setpriv", "capsh", "sudoedit"]);
const ROOT_CHANGERS = new Set(["chroot", "nsenter"]);
const ACCOUNTS = new Set(["useradd", "userdel", "usermod", "adduser", "deluser", "addgroup", "delgroup", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "chage", "visudo", "vipw", "vigr", "gpasswd", "chsh", "chfn"]);
const KERNEL = new Set(["mount", "umount", "swapon", "swapoff", "insmod", "rmmod", "modprobe", "losetup", "cryptsetup", "kexec"]);
const FIREWALL = new Set(["iptables", "ip6tables", "nft", "ufw", "firewall-cmd"]);
const CONTAINER_CLIS = new Set(["docker", "podman", "nerdctl"]);
const PROTECTED: ReadonlySet<PathKind> = new Set(["root", "system", "disk", "home", "startup"]);

const elevate: InvocationRule = (inv, _ctx, report) => {
  if (ELEVATORS.has(inv.name)) report("high", `runs with elevated privileges (${inv.name})`);
  else if (ROOT_CHANGERS.has(inv.name)) report("high", `enters another root directory or namespace (${inv.name})`);
  else if (inv.name === "setcap") report("high", "grants file capabilities (setcap)");
  else if (ACCOUNTS.has(inv.name)) report("high", `changes user accounts or passwords (${inv.name})`);
};

/** `chmod MODE FILE…`, `chown OWNER FILE…`, `chgrp GROUP FILE…` */
const permissions: InvocationRule = (inv, ctx, report) => {
  if (inv.name !== "chmod" && inv.name !== "chown" && inv.name !== "chgrp") return;
  const parsed = parseArgs(inv.args, ["--reference", "--from"]);
  const byReference = hasFlag(parsed, "--reference");
  const [first, ...rest] = parsed.positionals;
  if (!first) return;
  const targets = byReference ? parsed.positionals : rest;
  if (inv.name === "chmod" && !byReference && setsIdBit(first.text)) {
    report("high", `sets the setuid/setgid bit (chmod ${first.text})`);
  }
  const what = inv.name === "chmod" ? "permissions" : "owner";
  for (const target of targets) {
    if (PROTECTED.has(classifyPath(target.text, pathContext(inv, ctx)))) report("high", `changes the ${what} of ${target.text}`);
  }
};

function setsIdBit(mode: string): boolean {
  if (/^[0-7]{4,}$/.test(mode)) return (Number(mode[mode.length - 4]) & 6) !== 0;
  return /(^|,)[ugoa]*[+=][rwxXt]*s/.test(mode);
}

const kernel: InvocationRule = (inv, _ctx, report) => {
  if (KERNEL.has(inv.name) && inv.args.length > 0) report("high", `changes mounts or kernel modules (${inv.name})`);
  if (inv.name === "sysctl" && inv.args.some((a) => a.text === "-w" || a.text === "-p" || a.text.includes("="))) report("high", "changes kernel settings (sysctl)");
  if (FIREWALL.has(inv.name) && !inv.args.some((a) => /^(-L|-S|--list.*|list|status|-n)$/.test(a.text))) report("medium", `changes firewall rules (${inv.name})`);
};

const CONTAINER_VALUES = "-v --volume -e --env --name -p --publish --mount -w --workdir -u --user --network --net --pid --cap-add --cap-drop --entrypoint --device --security-opt -m --memory --cpus --ipc --userns --label -l --env-file -H --host --context --platform -h --hostname".split(" ");

/** `docker run --privileged`, `-v /:/host`, the Docker socket: root on the host. */
const container: InvocationRule = (inv, ctx, report) => {
  if (!CONTAINER_CLIS.has(inv.name)) return;
  const parsed = parseArgs(inv.args, CONTAINER_VALUES);
  const sub = parsed.positionals[0]?.text;
  if (sub !== "run" && sub !== "create") return;
  if (hasFlag(parsed, "--privileged")) report("high", `starts a privileged container (${inv.name} ${sub} --privileged)`);
  for (const option of ["--pid", "--ipc", "--userns", "--network", "--net"]) {
    if (valuesOf(parsed, option).includes("host")) report(option.startsWith("--net") ? "medium" : "high", `shares the host's ${option.slice(2)} namespace with a container`);
  }
  if (valuesOf(parsed, "--cap-add").some((cap) => /^(ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE)$/i.test(cap))) report("high", "gives a container powerful capabilities (--cap-add)");
  const sources = [
    ...valuesOf(parsed, "-v", "--volume").map((v) => v.split(":")[0]!),
    ...valuesOf(parsed, "--mount").flatMap((m) => /(?:^|,)(?:source|src)=([^,]+)/.exec(m)?.[1] ?? []),
  ];
  for (const source of sources) {
    if (/docker\.sock$/.test(source)) report("high", "hands the Docker socket to a container (root on the host)");
    else if (PROTECTED.has(classifyPath(source, pathContext(inv, ctx)))) report("high", `mounts ${source} into a container`);
  }
};

export const privilegeRules: InvocationRule[] = [elevate, permissions, kernel, container];
