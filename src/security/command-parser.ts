import type { Command, FunctionDefinition, Pipeline, Redirect, Script, SimpleCommand } from "./shell-ast.ts";
import { emptyWord, ShellWordReader, WORD_END } from "./shell-words.ts";

/**
 * A tolerant parser for the POSIX/bash shell language, written for risk analysis.
 *
 * shell-quote's `parse` flattens a command line into tokens: it cannot see inside `$( )` or backticks,
 * and it reads a newline as a space, so `echo hi\nrm -rf /` would look like one `echo`. This parser keeps
 * the structure (lists, pipelines, subshells, groups, function definitions, substitutions, redirects,
 * here-documents) and never throws: malformed input yields the best tree it can.
 */

/** How deep substitutions, subshells and nested `sh -c` strings are followed. */
export const MAX_SHELL_DEPTH = 24;

/** Reserved words that only introduce or close the commands around them. */
const SKIPPED_KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "esac", "!", "time", "coproc"]);
const REDIRECT = /^(\d{1,2})?(&>>|&>|<<<|<<-|<<|<>|<&|>&|>>|>\||<|>)/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;

type Terminator = ")" | "}" | null;

interface ParseState {
  tooDeep: boolean;
}

interface PendingHeredoc {
  redirect: Redirect;
  delimiter: string;
  stripTabs: boolean;
}

/** Parses `src` into a Script. `depth` counts the nesting levels already entered (for `sh -c` strings). */
export function parseShell(src: string, depth = 0): Script {
  const state: ParseState = { tooDeep: false };
  const script = new ShellParser(src, depth, state).parseScript(null);
  script.tooDeep = state.tooDeep;
  return script;
}

class ShellParser extends ShellWordReader {
  private heredocs: PendingHeredoc[] = [];

  constructor(
    src: string,
    private depth: number,
    private readonly state: ParseState,
  ) {
    super(src);
  }

  parseScript(terminator: Terminator): Script {
    const script: Script = { pipelines: [], tooDeep: false };
    while (true) {
      this.skipSeparators();
      if (this.pos >= this.src.length) return script;
      if (this.src[this.pos] === ")") {
        this.pos++;
        if (terminator === ")") return script;
        continue; // a stray `)` (a `case` pattern, say): ignore it
      }
      if (terminator === "}" && this.atReservedWord("}")) {
        this.pos++;
        return script;
      }
      const before = this.pos;
      const pipeline = this.parsePipeline();
      if (pipeline) script.pipelines.push(pipeline);
      if (this.pos === before) this.pos++; // always make progress on input we cannot read
      this.skipBlanks();
      if (this.src.startsWith("&&", this.pos) || this.src.startsWith("||", this.pos)) this.pos += 2;
      else if (pipeline && this.src[this.pos] === "&" && this.src[this.pos + 1] !== ">") {
        pipeline.background = true;
        this.pos++;
      }
    }
  }

  private parsePipeline(): Pipeline | null {
    const commands: Command[] = [];
    while (true) {
      const command = this.parseCommand();
      if (command) commands.push(command);
      this.skipBlanks();
      if (this.src.startsWith("||", this.pos)) break;
      if (this.src.startsWith("|&", this.pos)) this.pos += 2;
      else if (this.src[this.pos] === "|") this.pos++;
      else break;
      this.skipBlanksAndNewlines();
    }
    return commands.length > 0 ? { commands, background: false } : null;
  }

  private parseCommand(): Command | null {
    this.skipBlanks();
    const c = this.src[this.pos];
    if (c === undefined) return null;
    if (c === "(") {
      if (this.src[this.pos + 1] === "(") {
        this.skipArithmetic(this.pos + 2);
        return null;
      }
      this.pos++;
      const body = this.nested(")");
      return { kind: "group", body, redirects: this.parseTrailingRedirects() };
    }
    if (this.atReservedWord("{")) {
      this.pos++;
      const body = this.nested("}");
      return { kind: "group", body, redirects: this.parseTrailingRedirects() };
    }
    return this.parseSimple();
  }

  private parseSimple(): Command | null {
    const command: SimpleCommand = { kind: "simple", assignments: [], words: [], redirects: [] };
    while (this.pos < this.src.length) {
      this.skipBlanks();
      const c = this.src[this.pos];
      if (c === undefined) break;
      if (c === "#") {
        this.skipComment();
        break;
      }
      if (this.atRedirect()) {
        command.redirects.push(this.parseRedirect());
        continue;
      }
      if (c === "\n" || c === ";" || c === "&" || c === "|" || c === ")") break;
      if (c === "(") {
        if (command.words.length === 1 && /^\(\s*\)/.test(this.src.slice(this.pos, this.pos + 32))) {
          return this.parseFunctionBody(command.words[0]!.text);
        }
        break; // a syntax error for the shell: stop this command here
      }
      const atStart = command.words.length === 0 && command.assignments.length === 0;
      if (atStart && this.atReservedWord("}")) break;
      const start = this.pos;
      const word = this.readWord();
      const raw = this.src.slice(start, this.pos);
      if (command.words.length === 0) {
        const assignment = ASSIGNMENT.exec(raw);
        if (assignment) {
          const name = assignment[1]!;
          command.assignments.push({ name, value: { ...word, text: word.text.slice(word.text.indexOf("=") + 1) } });
          continue;
        }
        if (!word.quoted && SKIPPED_KEYWORDS.has(raw)) continue;
        if (!word.quoted && raw === "function") return this.parseFunctionKeyword();
      }
      command.words.push(word);
    }
    const empty = command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0;
    return empty ? null : command;
  }

  /** After `name`: `()` then the body. */
  private parseFunctionBody(name: string): FunctionDefinition {
    this.pos = this.src.indexOf(")", this.pos) + 1;
    this.skipBlanksAndNewlines();
    const body = this.parseCommand() ?? { kind: "simple", assignments: [], words: [], redirects: [] };
    return { kind: "function", name, body };
  }

  /** After the keyword `function`: a name, optional `()`, then the body. */
  private parseFunctionKeyword(): FunctionDefinition {
    this.skipBlanks();
    const name = this.readWord().text;
    this.skipBlanks();
    if (this.src[this.pos] === "(") return this.parseFunctionBody(name);
    this.skipBlanksAndNewlines();
    const body = this.parseCommand() ?? { kind: "simple", assignments: [], words: [], redirects: [] };
    return { kind: "function", name, body };
  }

  private parseTrailingRedirects(): Redirect[] {
    const redirects: Redirect[] = [];
    while (true) {
      this.skipBlanks();
      if (!this.atRedirect()) return redirects;
      redirects.push(this.parseRedirect());
    }
  }

  private atRedirect(): boolean {
    const match = REDIRECT.exec(this.src.slice(this.pos, this.pos + 6));
    if (!match) return false;
    // `<(` and `>(` are process substitutions, read as words.
    const op = match[2]!;
    return !((op === "<" || op === ">") && this.src[this.pos + match[0].length] === "(");
  }

  private parseRedirect(): Redirect {
    const match = REDIRECT.exec(this.src.slice(this.pos, this.pos + 6))!;
    this.pos += match[0].length;
    this.skipBlanks();
    const op = match[2]!;
    const at = this.src[this.pos];
    const target = at === undefined || (WORD_END.has(at) && at !== "<" && at !== ">") ? emptyWord() : this.readWord();
    const redirect: Redirect = { op, target };
    if (match[1] !== undefined) redirect.fd = Number(match[1]);
    if (op === "<<" || op === "<<-") this.heredocs.push({ redirect, delimiter: target.text, stripTabs: op === "<<-" });
    return redirect;
  }

  /** Parses a nested list (subshell, group, `$( )`) in place, up to its terminator. */
  protected nested(terminator: Terminator): Script {
    if (this.depth + 1 > MAX_SHELL_DEPTH) return this.giveUp();
    this.depth++;
    const script = this.parseScript(terminator);
    this.depth--;
    return script;
  }

  /** Parses text taken out of the source (backticks, braces) as its own script. */
  protected nestedText(text: string): Script {
    if (this.depth + 1 > MAX_SHELL_DEPTH) return this.giveUp();
    return new ShellParser(text, this.depth + 1, this.state).parseScript(null);
  }

  private giveUp(): Script {
    this.state.tooDeep = true;
    this.pos = this.src.length;
    return { pipelines: [], tooDeep: true };
  }

  private skipBlanksAndNewlines(): void {
    while (true) {
      this.skipBlanks();
      const c = this.src[this.pos];
      if (c === "\n") this.consumeNewline();
      else if (c === "#") this.skipComment();
      else return;
    }
  }

  /** Separators between pipelines, and stray operators that start nothing. */
  private skipSeparators(): void {
    while (true) {
      this.skipBlanksAndNewlines();
      const c = this.src[this.pos];
      if (c === ";" || c === "|" || (c === "&" && this.src[this.pos + 1] !== ">")) this.pos++;
      else return;
    }
  }

  private skipComment(): void {
    const end = this.src.indexOf("\n", this.pos);
    this.pos = end === -1 ? this.src.length : end;
  }

  /** Consumes a newline; here-documents announced on the line just ended start after it. */
  private consumeNewline(): void {
    this.pos++;
    const pending = this.heredocs;
    this.heredocs = [];
    for (const heredoc of pending) {
      const lines: string[] = [];
      while (this.pos < this.src.length) {
        const end = this.src.indexOf("\n", this.pos);
        const line = this.src.slice(this.pos, end === -1 ? this.src.length : end);
        this.pos = end === -1 ? this.src.length : end + 1;
        if ((heredoc.stripTabs ? line.replace(/^\t+/, "") : line) === heredoc.delimiter) break;
        lines.push(line);
      }
      heredoc.redirect.heredoc = lines.join("\n");
    }
  }
}
