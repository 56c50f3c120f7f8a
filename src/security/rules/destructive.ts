import { commandName, hasFlag, parseArgs } from "../args.ts";
import type { Invocation } from "../invocations.ts";
import { classifyPath, normalizePath, type PathKind } from "../paths.ts";
import type { Command, Word } from "../shell-ast.ts";
import type { Report } from "../types.ts";
import { type FactsRule, type InvocationRule, pathContext, type RuleContext } from "./rule.ts";

/** Deleting, wiping and formatting: rm, find -delete, shred, mv of whole trees, mkfs, dd, fork bombs. */

const FORMATTERS = new Set(["mke2fs", "mkswap", "wipefs", "fdisk", "sfdisk", "cfdisk", "parted", "sgdisk", "gdisk", "blkdiscard", "zpool", "mdadm"]);
const FIND_FILTERS = new Set(["-name", "-iname", "-path", "-ipath", "-wholename", "-regex", "-iregex", "-newer", "-mtime", "-mmin", "-atime", "-ctime", "-empty", "-size", "-user", "-group", "-perm", "-type", "-links", "-inum"]);
const WHOLE_TREE: ReadonlySet<PathKind> = new Set(["root", "home", "workspace", "parent", "system", "disk"]);

/** Rates removing `target`; `recursive` says whole directory trees go. */
function rateDeletion(target: string, recursive: boolean, inv: Invocation, ctx: RuleContext, report: Report, verb = "deletes"): void {
  const kind = classifyPath(target, pathContext(inv, ctx));
  const path = normalizePath(target, inv.cwd);
  const severity = recursive ? "high" : "medium";
  switch (kind) {
    case "root":
      return report(severity, `${verb} the whole file system (${target})`);
    case "home":
      return report(severity, `${verb} the home directory (${target})`);
    case "workspace":
      return report(severity, `${verb} the whole workspace (${target})`);
    case "parent":
      return report(severity, `${verb} the folder above the workspace (${target}), which holds every conversation`);
    case "system":
      return report("high", `${verb} the system path ${path}`);
    case "disk":
      return report("high", `${verb} the device ${path}`);
    case "variable":
      return report("medium", `${verb} ${target}, which is a path under / when the variable is empty`);
    case "startup":
    case "outside":
      return report("medium", `${verb} ${path}, outside the workspace`);
  }
}

const rm: InvocationRule = (inv, ctx, report) => {
  if (inv.name !== "rm" && inv.name !== "unlink" && inv.name !== "shred" && inv.name !== "srm") return;
  const parsed = parseArgs(inv.args, ["-n", "--iterations", "-s", "--size", "--random-source"]);
  if (hasFlag(parsed, "--no-preserve-root")) report("high", "disables rm's protection of / (--no-preserve-root)");
  const recursive = hasFlag(parsed, "-r", "-R", "--recursive");
  const verb = inv.name === "shred" ? "shreds" : "deletes";
  for (const target of parsed.positionals) rateDeletion(target.text, recursive || inv.name === "shred", inv, ctx, report, verb);
};

const findDelete: InvocationRule = (inv, ctx, report) => {
  if (inv.name !== "find" || !inv.args.some((a) => a.text === "-delete" || removesEachMatch(a, inv))) return;
  const starts = [];
  for (const arg of inv.args) {
    if (/^[-(!]/.test(arg.text)) break;
    starts.push(arg.text);
  }
  const filtered = inv.args.some((a) => FIND_FILTERS.has(a.text));
  for (const start of starts.length > 0 ? starts : ["."]) {
    if (!filtered) {
      rateDeletion(start, true, inv, ctx, report);
      continue;
    }
    const kind = classifyPath(start, pathContext(inv, ctx));
    if (WHOLE_TREE.has(kind) && kind !== "workspace") report("medium", `deletes matching files anywhere under ${start}`);
  }
};

/** `find … -exec rm -rf {} +`: the same as `-delete`. */
function removesEachMatch(arg: Word, inv: Invocation): boolean {
  if (!["-exec", "-execdir", "-ok", "-okdir"].includes(arg.text)) return false;
  const next = inv.args[inv.args.indexOf(arg) + 1]?.text ?? "";
  return ["rm", "shred", "unlink"].includes(commandName(next));
}

const move: InvocationRule = (inv, ctx, report) => {
  if (inv.name !== "mv") return;
  const parsed = parseArgs(inv.args, ["-t", "--target-directory", "-S", "--suffix"]);
  const sources = hasFlag(parsed, "-t", "--target-directory") ? parsed.positionals : parsed.positionals.slice(0, -1);
  for (const source of sources) {
    const kind = classifyPath(source.text, pathContext(inv, ctx));
    if (WHOLE_TREE.has(kind)) rateDeletion(source.text, true, inv, ctx, report, "moves away");
  }
};

const formatDisk: InvocationRule = (inv, _ctx, report) => {
  if (inv.name.startsWith("mkfs") || FORMATTERS.has(inv.name)) {
    const listing = inv.name === "fdisk" && inv.args.some((a) => a.text === "-l");
    if (!listing) report("high", `formats or repartitions a disk (${inv.name})`);
  }
};

const dd: InvocationRule = (inv, ctx, report) => {
  if (inv.name !== "dd") return;
  for (const arg of inv.args) {
    if (!arg.text.startsWith("of=")) continue;
    const target = arg.text.slice(3);
    const kind = classifyPath(target, pathContext(inv, ctx));
    if (kind === "disk") report("high", `writes raw data over the device ${target}`);
    else if (kind === "system" || kind === "root" || kind === "startup") report("high", `overwrites the system file ${target}`);
    else if (kind === "outside" || kind === "parent") report("medium", `writes ${target}, outside the workspace`);
  }
};

/** `:(){ :|:& };:`, whatever the function is called: a function that starts copies of itself in a pipe or in the background. */
const forkBomb: FactsRule = (facts, _ctx, report) => {
  for (const fn of facts.functions) {
    if (spawnsItself(fn.body, fn.name, false)) report("high", `defines a fork bomb: the function ${fn.name} starts copies of itself without end`);
  }
};

function spawnsItself(command: Command, name: string, concurrent: boolean): boolean {
  if (command.kind === "simple") return concurrent && command.words[0]?.text === name;
  if (command.kind === "function") return false;
  return command.body.pipelines.some((pipeline) =>
    pipeline.commands.some((inner) => spawnsItself(inner, name, concurrent || pipeline.background || pipeline.commands.length > 1)),
  );
}

export const destructiveRules: InvocationRule[] = [rm, findDelete, move, formatDisk, dd];
export const destructiveFactsRules: FactsRule[] = [forkBomb];
