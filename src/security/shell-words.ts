import type { Script, Word } from "./shell-ast.ts";

/**
 * The word level of the shell parser: quoting (`'…'`, `"…"`, `$'…'`, backslashes), parameters
 * (`$NAME`, `${NAME…}`), and the places where a word runs code (`$( )`, backticks, `<( )`). The
 * structure around words (lists, pipelines, redirects) is ShellParser's, which supplies `nested`.
 */

export const WORD_END = new Set([" ", "\t", "\r", "\n", ";", "&", "|", "<", ">", "(", ")"]);
const BLANKS = " \t\r";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const PARAMETER = /^[#!]?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/;

export function emptyWord(): Word {
  return { text: "", vars: [], subs: [], processSubstitution: false, quoted: false };
}

export abstract class ShellWordReader {
  protected pos = 0;

  constructor(protected readonly src: string) {}

  /** Parses the list that starts at `pos` up to `)` (a substitution or subshell). */
  protected abstract nested(terminator: ")"): Script;
  /** Parses text taken out of the source (backticks, braces) as a script of its own. */
  protected abstract nestedText(text: string): Script;

  protected readWord(): Word {
    const word = emptyWord();
    const opener = this.src[this.pos];
    if ((opener === "<" || opener === ">") && this.src[this.pos + 1] === "(") {
      this.pos += 2;
      word.subs.push(this.nested(")"));
      word.processSubstitution = true;
      word.text = `${opener}(…)`;
      return word;
    }
    let text = "";
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (WORD_END.has(c)) break;
      if (c === "\\") {
        const next = this.src[this.pos + 1];
        this.pos += 2;
        if (next === undefined || next === "\n") continue;
        text += next;
        word.quoted = true;
      } else if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        const stop = end === -1 ? this.src.length : end;
        text += this.src.slice(this.pos + 1, stop);
        this.pos = stop + 1;
        word.quoted = true;
      } else if (c === '"') {
        text += this.readDoubleQuoted(word);
        word.quoted = true;
      } else if (c === "$") {
        text += this.readDollar(word, false);
      } else if (c === "`") {
        text += this.readBackticks(word);
      } else {
        text += c;
        this.pos++;
      }
    }
    word.text = text;
    return word;
  }

  private readDoubleQuoted(word: Word): string {
    this.pos++;
    let text = "";
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '"') {
        this.pos++;
        return text;
      }
      if (c === "\\") {
        const next = this.src[this.pos + 1] ?? "";
        this.pos += 2;
        if (next === "\n") continue;
        text += "$`\"\\".includes(next) ? next : `\\${next}`;
      } else if (c === "$") {
        text += this.readDollar(word, true);
      } else if (c === "`") {
        text += this.readBackticks(word);
      } else {
        text += c;
        this.pos++;
      }
    }
    return text;
  }

  private readDollar(word: Word, inDoubleQuotes: boolean): string {
    const next = this.src[this.pos + 1];
    if (next === "(" && this.src[this.pos + 2] === "(") {
      this.skipArithmetic(this.pos + 3);
      return "$((…))";
    }
    if (next === "(") {
      this.pos += 2;
      word.subs.push(this.nested(")"));
      return "$(…)";
    }
    if (next === "{") return this.readBracedParameter(word);
    if (next === "'" && !inDoubleQuotes) {
      word.quoted = true;
      return this.readAnsiC();
    }
    if (next === '"' && !inDoubleQuotes) {
      this.pos++; // $"…" (a translated string) reads as "…"
      return "";
    }
    const name = next !== undefined && /[A-Za-z_]/.test(next) ? NAME.exec(this.src.slice(this.pos + 1, this.pos + 257))![0] : undefined;
    if (name) {
      word.vars.push(name);
      this.pos += 1 + name.length;
      return `$${name}`;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      word.vars.push(next);
      this.pos += 2;
      return `$${next}`;
    }
    this.pos++;
    return "$";
  }

  /** `${NAME}`, `${NAME:-default}`, `${#NAME}`… keeps `$NAME`; substitutions inside the braces are parsed. */
  private readBracedParameter(word: Word): string {
    let depth = 0;
    let end = this.pos + 1;
    for (; end < this.src.length; end++) {
      const c = this.src[end];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    const inner = this.src.slice(this.pos + 2, end);
    this.pos = Math.min(end + 1, this.src.length);
    if (inner.includes("$(") || inner.includes("`")) word.subs.push(this.nestedText(inner));
    const name = PARAMETER.exec(inner)?.[1];
    if (!name) return "${…}";
    word.vars.push(name);
    return `$${name}`;
  }

  /** `$'…'` with its backslash escapes. */
  private readAnsiC(): string {
    let i = this.pos + 2;
    let text = "";
    while (i < this.src.length && this.src[i] !== "'") {
      if (this.src[i] !== "\\") {
        text += this.src[i++];
        continue;
      }
      const escape = /^(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)/s.exec(this.src.slice(i + 1, i + 11));
      const body = escape?.[1] ?? "";
      i += 1 + body.length;
      text += decodeAnsiCEscape(body);
    }
    this.pos = Math.min(i + 1, this.src.length);
    return text;
  }

  private readBackticks(word: Word): string {
    let i = this.pos + 1;
    let inner = "";
    while (i < this.src.length && this.src[i] !== "`") {
      if (this.src[i] === "\\" && "`$\\".includes(this.src[i + 1] ?? "x")) {
        inner += this.src[i + 1];
        i += 2;
      } else inner += this.src[i++];
    }
    this.pos = Math.min(i + 1, this.src.length);
    word.subs.push(this.nestedText(inner));
    return "$(…)";
  }

  /** Skips `((…))` / the rest of `$((…))` from `from` (just past the opening parentheses). */
  protected skipArithmetic(from: number): void {
    let depth = 2;
    let i = from;
    for (; i < this.src.length && depth > 0; i++) {
      if (this.src[i] === "(") depth++;
      else if (this.src[i] === ")") depth--;
    }
    this.pos = i;
  }

  protected atReservedWord(word: string): boolean {
    if (!this.src.startsWith(word, this.pos)) return false;
    const after = this.src[this.pos + word.length];
    return after === undefined || WORD_END.has(after);
  }

  protected skipBlanks(): void {
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (BLANKS.includes(c)) this.pos++;
      else if (c === "\\" && this.src[this.pos + 1] === "\n") this.pos += 2;
      else return;
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

function decodeAnsiCEscape(escape: string): string {
  const kind = escape[0];
  if (kind === undefined) return "\\";
  if (kind === "x" || kind === "u" || kind === "U") {
    const code = Number.parseInt(escape.slice(1), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "";
  }
  if (/[0-7]/.test(kind)) return String.fromCharCode(Number.parseInt(escape, 8) & 0xff);
  return SIMPLE_ESCAPES[kind] ?? kind;
}
