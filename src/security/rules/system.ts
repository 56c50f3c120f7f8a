import { hasFlag, parseArgs } from "../args.ts";
import type { Invocation } from "../invocations.ts";
import type { InvocationRule } from "./rule.ts";

/** Changes to the machine rather than the workspace: packages, processes, power, services, schedules, remote git history. */

const INSTALL_SUBCOMMANDS: Record<string, RegExp> = {
  "apt-get": /^(install|remove|purge|upgrade|dist-upgrade|full-upgrade|autoremove|reinstall)$/,
  apt: /^(install|remove|purge|upgrade|dist-upgrade|full-upgrade|autoremove|reinstall)$/,
  aptitude: /^(install|remove|purge|upgrade|safe-upgrade|full-upgrade|reinstall)$/,
  yum: /^(install|remove|erase|update|upgrade|reinstall)$/,
  dnf: /^(install|remove|erase|update|upgrade|reinstall)$/,
  microdnf: /^(install|remove|update|upgrade)$/,
  zypper: /^(install|in|remove|rm|update|up|dist-upgrade|dup)$/,
  apk: /^(add|del|upgrade)$/,
  brew: /^(install|uninstall|reinstall|upgrade)$/,
  gem: /^(install|uninstall|update)$/,
  cargo: /^install$/,
  go: /^install$/,
  conda: /^(install|remove|update)$/,
  mamba: /^(install|remove|update)$/,
  snap: /^(install|remove|refresh)$/,
  flatpak: /^(install|uninstall|update)$/,
  pipx: /^(install|uninstall|inject|upgrade)$/,
};
const NODE_PACKAGE_MANAGERS = new Set(["npm", "pnpm", "yarn", "bun"]);
const POWER = new Set(["shutdown", "reboot", "halt", "poweroff", "killall5"]);
const SERVICE_CHANGES = /^(start|stop|restart|reload|enable|disable|mask|unmask|kill|isolate|daemon-reload|edit|set-default)$/;
const SYSTEMCTL_POWER = /^(poweroff|reboot|halt|kexec|suspend|hibernate|rescue|emergency)$/;

function subcommand(inv: Invocation): string | undefined {
  return parseArgs(inv.args).positionals[0]?.text;
}

const packages: InvocationRule = (inv, _ctx, report) => {
  const sub = subcommand(inv);
  const pattern = INSTALL_SUBCOMMANDS[inv.name];
  if (pattern && sub && pattern.test(sub)) return report("medium", `installs or removes packages (${inv.name} ${sub})`);
  if (/^pip[0-9.]*$/.test(inv.name) && (sub === "install" || sub === "uninstall")) return report("medium", `installs or removes Python packages (${inv.name} ${sub})`);
  if (/^python[0-9.]*$/.test(inv.name) && inv.args[0]?.text === "-m" && /^pip/.test(inv.args[1]?.text ?? "") && /^(install|uninstall)$/.test(inv.args[2]?.text ?? "")) {
    return report("medium", `installs or removes Python packages (${inv.name} -m pip ${inv.args[2]!.text})`);
  }
  if (inv.name === "dpkg" && inv.args.some((a) => /^(-i|--install|-r|--remove|-P|--purge)$/.test(a.text))) return report("medium", "installs or removes system packages (dpkg)");
  if (inv.name === "pacman" && inv.args.some((a) => /^-[SRU]/.test(a.text))) return report("medium", "installs or removes system packages (pacman)");
  if (NODE_PACKAGE_MANAGERS.has(inv.name)) {
    const global = inv.args.some((a) => a.text === "-g" || a.text === "--global" || a.text === "--location=global");
    if ((global && sub && /^(install|i|add|uninstall|remove|rm|un|link|update|upgrade)$/.test(sub)) || (inv.name === "yarn" && sub === "global")) {
      report("medium", `installs or removes global packages (${inv.name} ${sub} -g)`);
    }
  }
};

const processes: InvocationRule = (inv, _ctx, report) => {
  if (POWER.has(inv.name)) return report("high", inv.name === "killall5" ? "kills every process (killall5)" : `shuts down or reboots the machine (${inv.name})`);
  if ((inv.name === "init" || inv.name === "telinit") && /^[06]$/.test(inv.args[0]?.text ?? "")) return report("high", `shuts down or reboots the machine (${inv.name} ${inv.args[0]!.text})`);
  if (inv.name === "pkill" || inv.name === "killall") return report("medium", `kills processes by name (${inv.name})`);
  if (inv.name !== "kill") return;
  const texts = inv.args.map((a) => a.text);
  if (texts.some((t) => t === "-l" || t === "-L")) return;
  const targets: string[] = [];
  let signalSeen = false;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (text === "--") {
      targets.push(...texts.slice(i + 1));
      break;
    }
    if (text === "-s" || text === "-n") i++;
    else if (text.startsWith("-") && !signalSeen) signalSeen = true;
    else targets.push(text);
  }
  if (targets.includes("-1")) report("high", "kills every process it can signal (kill -1)");
  else if (targets.includes("1")) report("high", "signals init, PID 1");
  else if (targets.length > 0) report("medium", "kills processes (kill)");
};

const services: InvocationRule = (inv, _ctx, report) => {
  const sub = subcommand(inv);
  if (inv.name === "systemctl" && sub && SYSTEMCTL_POWER.test(sub)) return report("high", `shuts down or reboots the machine (systemctl ${sub})`);
  if (inv.name === "systemctl" && sub && SERVICE_CHANGES.test(sub)) return report("medium", `changes system services (systemctl ${sub})`);
  if (inv.name === "service" && /^(start|stop|restart|reload)$/.test(inv.args[1]?.text ?? "")) return report("medium", `changes system services (service ${inv.args[1]!.text})`);
  if (inv.name === "crontab" && !inv.args.every((a) => a.text === "-l" || a.text.startsWith("-u"))) return report("medium", "changes scheduled jobs (crontab)");
  if ((inv.name === "at" || inv.name === "batch") && !inv.args.some((a) => a.text === "-l")) report("medium", `schedules a command for later (${inv.name})`);
};

const git: InvocationRule = (inv, _ctx, report) => {
  if (inv.name !== "git") return;
  const parsed = parseArgs(inv.args, ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "-o", "--push-option", "--repo", "--receive-pack", "--exec"]);
  const [sub, ...rest] = parsed.positionals.map((w) => w.text);
  if (sub === "push") {
    const force = hasFlag(parsed, "-f", "--force", "--force-with-lease", "--force-if-includes", "--mirror") || [...parsed.flags].some((f) => f.startsWith("--force")) || rest.some((r) => r.startsWith("+"));
    if (force) report("medium", "force-pushes, which can overwrite the remote's history (git push --force)");
    if (hasFlag(parsed, "-d", "--delete") || rest.some((r) => r.startsWith(":") && r.length > 1)) report("medium", "deletes remote branches (git push --delete)");
  }
  if (sub === "reset" && hasFlag(parsed, "--hard")) report("medium", "discards uncommitted changes (git reset --hard)");
  if (sub === "clean" && hasFlag(parsed, "-f", "--force")) report("medium", "deletes untracked files (git clean -f)");
};

const dynamicCode: InvocationRule = (inv, _ctx, report) => {
  if (inv.primary && inv.name.startsWith("$")) report("medium", `runs a command whose name comes from a variable or substitution (${inv.name})`);
  if (inv.name === "eval" && inv.args.some((a) => a.vars.length > 0 || a.subs.length > 0)) report("medium", "evaluates code built at run time (eval)");
};

export const systemRules: InvocationRule[] = [packages, processes, services, git, dynamicCode];
