import { commandName, parseArgs } from "../args.ts";
import { type Invocation, programsIn } from "../invocations.ts";
import type { Word } from "../shell-ast.ts";
import { SHELLS } from "../wrappers.ts";
import { FETCHERS, readHttpRequest } from "./http-clients.ts";
import type { FactsRule, InvocationRule } from "./rule.ts";

/** Running code that was just fetched: `curl … | sh`, `bash <(curl …)`, `sh -c "$(curl …)"`, download then run. */

const CODE_RUNNERS = new Set(["source", ".", "eval"]);
const LANGUAGES = new Set(["perl", "ruby", "node", "nodejs", "bun", "deno", "php", "lua", "luajit", "pwsh", "powershell", "tclsh", "osascript", "Rscript"]);
/** Options after which an interpreter's argument is code, not data. */
const CODE_OPTIONS = new Set(["-c", "-e", "-E", "-r", "--eval", "--command", "-Command", "-p", "--print"]);

export function isInterpreter(name: string): boolean {
  return SHELLS.has(name) || CODE_RUNNERS.has(name) || LANGUAGES.has(name) || /^python[0-9.]*$/.test(name);
}

function isDecoder(inv: Invocation): boolean {
  const flags = inv.args.map((a) => a.text);
  if (inv.name === "base64" || inv.name === "base32" || inv.name === "basenc") return flags.some((f) => /^(-d|-D|--decode)$/.test(f) || /^-[a-zA-Z]*d/.test(f));
  if (inv.name === "xxd") return flags.some((f) => /^-[a-z]*r/.test(f));
  if (inv.name === "openssl") return flags.includes("-d") || flags.includes("-base64") || flags.includes("base64");
  return inv.name === "uudecode";
}

/** The words an interpreter reads code from. */
function codeWords(inv: Invocation): Word[] {
  const wholeLine = SHELLS.has(inv.name) || CODE_RUNNERS.has(inv.name);
  const words = inv.args.filter((word, i) => wholeLine || word.processSubstitution || CODE_OPTIONS.has(inv.args[i - 1]?.text ?? ""));
  for (const redirect of inv.command.redirects) {
    if (redirect.op === "<" || redirect.op === "<<<" || redirect.op === "<&") words.push(redirect.target);
  }
  return words;
}

const pipedIntoInterpreter: InvocationRule = (inv, _ctx, report) => {
  if (!isInterpreter(inv.name)) return;
  const fetcher = inv.upstream.find((up) => FETCHERS.has(up.name));
  if (fetcher) {
    const host = readHttpRequest(fetcher)?.urls[0];
    report("high", `pipes a download${host ? ` from ${host}` : ""} into ${inv.name}: runs remote code unseen`);
  }
  if (inv.upstream.some(isDecoder)) report("high", `runs decoded (obfuscated) code through ${inv.name}`);
  for (const word of codeWords(inv)) {
    for (const sub of word.subs) {
      const fetchers = [...programsIn(sub)].filter((name) => FETCHERS.has(name));
      if (fetchers.length > 0) report("high", `runs code downloaded by ${fetchers[0]} through ${inv.name}`);
    }
  }
};

/** `curl -o x.sh URL && bash x.sh`, `wget URL/install.sh; chmod +x install.sh; ./install.sh` */
const downloadThenRun: FactsRule = (facts, _ctx, report) => {
  const downloaded = new Set<string>();
  for (const inv of facts.invocations) {
    const request = readHttpRequest(inv);
    if (request) {
      for (const output of request.outputs) downloaded.add(commandName(output));
      if (inv.primary) {
        for (const redirect of inv.command.redirects) if (redirect.op === ">" || redirect.op === ">>") downloaded.add(commandName(redirect.target.text));
      }
      continue;
    }
    downloaded.delete("-");
    if (downloaded.size === 0) continue;
    const program = inv.command.words[0]?.text ?? "";
    if (inv.primary && program.includes("/") && downloaded.has(inv.name)) {
      report("high", `downloads ${inv.name} and runs it`);
      continue;
    }
    if (!isInterpreter(inv.name)) continue;
    const script = parseArgs(inv.args).positionals[0];
    if (script && downloaded.has(commandName(script.text))) report("high", `downloads ${script.text} and runs it with ${inv.name}`);
  }
};

export const remoteCodeRules: InvocationRule[] = [pipedIntoInterpreter];
export const remoteCodeFactsRules: FactsRule[] = [downloadThenRun];
