import { hasFlag, parseArgs, valuesOf } from "../args.ts";
import type { Invocation } from "../invocations.ts";
import { classifyPath, normalizePath } from "../paths.ts";
import type { Word } from "../shell-ast.ts";
import type { Report } from "../types.ts";
import { type InvocationRule, pathContext, type RuleContext } from "./rule.ts";

/** Writing outside the workspace: redirects, tee, cp/mv/install/ln targets, sed -i, touch, truncate, mkdir. */

const WRITE_REDIRECTS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);

export function rateWriteTarget(target: string, inv: Invocation, ctx: RuleContext, report: Report): void {
  const kind = classifyPath(target, pathContext(inv, ctx));
  const path = normalizePath(target, inv.cwd);
  switch (kind) {
    case "disk":
      return report("high", `writes directly to the device ${path}`);
    case "root":
    case "system":
      return report("high", `writes to the system path ${path}`);
    case "startup":
      return report("high", `changes ${path}, a shell startup or credentials file`);
    case "home":
    case "outside":
    case "parent":
      return report("medium", `writes outside the workspace (${path})`);
  }
}

const redirects: InvocationRule = (inv, ctx, report) => {
  if (!inv.primary) return;
  for (const redirect of inv.command.redirects) {
    const fdCopy = redirect.op === ">&" && /^(\d+|-)?$/.test(redirect.target.text);
    if (WRITE_REDIRECTS.has(redirect.op) || (redirect.op === ">&" && !fdCopy)) rateWriteTarget(redirect.target.text, inv, ctx, report);
  }
};

/** The files a writing command writes, or [] for other commands. */
function writtenFiles(inv: Invocation): Word[] {
  switch (inv.name) {
    case "tee":
      return parseArgs(inv.args).positionals;
    case "cp":
    case "mv":
    case "install":
    case "ln": {
      const parsed = parseArgs(inv.args, ["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group"]);
      const directories = valuesOf(parsed, "-t", "--target-directory");
      if (directories.length > 0) return directories.map((text) => ({ text, vars: [], subs: [], processSubstitution: false, quoted: false }));
      return parsed.positionals.length >= 2 ? parsed.positionals.slice(-1) : [];
    }
    case "truncate":
      return parseArgs(inv.args, ["-s", "--size", "-r", "--reference"]).positionals;
    case "touch":
      return parseArgs(inv.args, ["-d", "-r", "-t", "--date", "--reference"]).positionals;
    case "mkdir":
      return parseArgs(inv.args, ["-m", "--mode"]).positionals;
    case "sed": {
      if (!inv.args.some((a) => /^-[a-zA-Z]*i|^--in-place/.test(a.text))) return [];
      const parsed = parseArgs(inv.args, ["-e", "--expression", "-f", "--file", "-l", "--line-length"]);
      const scriptGiven = hasFlag(parsed, "-e", "--expression", "-f", "--file");
      return scriptGiven ? parsed.positionals : parsed.positionals.slice(1);
    }
    case "chattr":
      return parseArgs(inv.args).positionals.slice(1);
    default:
      return [];
  }
}

const writingCommands: InvocationRule = (inv, ctx, report) => {
  for (const file of writtenFiles(inv)) rateWriteTarget(file.text, inv, ctx, report);
};

export const filesystemRules: InvocationRule[] = [redirects, writingCommands];
