import { parseArgs } from "../args.ts";
import { isSecretPath, looksLikePath } from "../paths.ts";
import type { Word } from "../shell-ast.ts";
import { wrappedCommands } from "../wrappers.ts";
import type { InvocationRule } from "./rule.ts";

/** Reading secrets: key and password files, environment dumps, secret variables. */

/** Commands whose arguments are text, not files. */
const TEXT_COMMANDS = new Set(["echo", "printf", ":", "true", "false", "test", "[", "[[", "alias", "type", "which", "whatis", "apropos", "man", "export", "unset", "cd", "pushd", "mkdir"]);
/** Commands whose first positional argument is a pattern or a program. */
const PATTERN_COMMANDS = new Set(["grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "gawk", "mawk", "jq"]);
/** Commands that take a key file with `-i` to authenticate, which is what keys are for. */
const KEY_USERS = new Set(["ssh", "scp", "sftp", "rsync", "ssh-copy-id", "mosh"]);
/** Commands that only test whether a variable is set. */
const TESTS = new Set(["test", "[", "[["]);
const SECRET_NAMES = new Set(["LLM_API_KEY", "SESSION_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "GH_TOKEN"]);

export function isSecretVariable(name: string): boolean {
  return SECRET_NAMES.has(name) || /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?)$/i.test(name) || /SECRET|PASSWORD|PRIVATE_KEY/i.test(name);
}

const secretVariables: InvocationRule = (inv, _ctx, report) => {
  if (!inv.primary || TESTS.has(inv.name)) return;
  const words: Word[] = [...inv.command.words, ...inv.command.assignments.map((a) => a.value), ...inv.command.redirects.map((r) => r.target)];
  for (const word of words) {
    for (const name of word.vars) if (isSecretVariable(name)) report("high", `exposes the secret variable $${name}`);
  }
  for (const redirect of inv.command.redirects) {
    if (redirect.heredoc === undefined || redirect.target.quoted) continue;
    // An unquoted here-document expands its variables.
    for (const match of redirect.heredoc.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (isSecretVariable(match[1]!)) report("high", `exposes the secret variable $${match[1]}`);
    }
  }
};

const environmentDump: InvocationRule = (inv, _ctx, report) => {
  const args = inv.args.map((a) => a.text);
  const dump = "dumps every environment variable, secrets included";
  switch (inv.name) {
    case "env":
      if (wrappedCommands("env", inv.args).length === 0 && !args.some((a) => a === "-S" || a.startsWith("--split-string"))) report("high", `${dump} (env)`);
      return;
    case "printenv": {
      const names = args.filter((a) => !a.startsWith("-"));
      if (names.length === 0) report("high", `${dump} (printenv)`);
      for (const name of names) if (isSecretVariable(name)) report("high", `prints the secret variable ${name}`);
      return;
    }
    case "set":
      if (args.length === 0) report("high", `${dump} (set)`);
      return;
    case "export":
    case "declare":
    case "typeset":
      if (args.every((a) => /^-[px]+$/.test(a)) && (args.length === 0 || inv.name !== "export" || args.includes("-p"))) report("high", `${dump} (${inv.name})`);
      return;
    case "compgen":
      if (args.includes("-e") || args.includes("-v")) report("high", "lists environment variables (compgen)");
  }
};

const secretFiles: InvocationRule = (inv, _ctx, report) => {
  const seen = new Set<string>();
  const check = (text: string) => {
    for (const candidate of [text, text.slice(text.indexOf("=") + 1)]) {
      if (seen.has(candidate) || !looksLikePath(candidate) || !isSecretPath(candidate, inv.cwd)) continue;
      seen.add(candidate);
      report("high", `accesses ${candidate}, which holds keys or credentials`);
    }
  };
  if (inv.primary) for (const redirect of inv.command.redirects) check(redirect.target.text);
  if (!inv.name || TEXT_COMMANDS.has(inv.name)) return;
  let args = inv.args;
  if (PATTERN_COMMANDS.has(inv.name)) {
    const pattern = parseArgs(args).positionals[0];
    args = args.filter((a) => a !== pattern);
  }
  if (KEY_USERS.has(inv.name)) args = args.filter((_a, i) => args[i - 1]?.text !== "-i");
  for (const arg of args) check(arg.text);
};

export const secretRules: InvocationRule[] = [secretVariables, environmentDump, secretFiles];
