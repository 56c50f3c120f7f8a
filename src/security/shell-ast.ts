/** The tree the shell parser produces: just enough structure to rate a command, not to run it. */

export interface Word {
  /** Dequoted text. Parameter expansions stay as `$NAME`; command substitutions read `$(…)`. */
  text: string;
  /** Names of the parameters this word expands (`$HOME`, `${LLM_API_KEY}`), outside single quotes. */
  vars: string[];
  /** Scripts this word runs: `$( )`, backticks, `<( )` and `>( )`. */
  subs: Script[];
  /** The word is a process substitution `<(…)` or `>(…)`. */
  processSubstitution: boolean;
  /** Some part of the word was quoted or escaped (so it is never a reserved word or an assignment). */
  quoted: boolean;
}

export interface Redirect {
  /** `>`, `>>`, `<`, `<<`, `<<<`, `&>`, `>&`, … */
  op: string;
  fd?: number;
  target: Word;
  /** Body of a here-document (`<<EOF … EOF`). */
  heredoc?: string;
}

export interface Assignment {
  name: string;
  value: Word;
}

export interface SimpleCommand {
  kind: "simple";
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
}

/** `( … )` (a subshell) or `{ …; }` (a group). */
export interface GroupCommand {
  kind: "group";
  body: Script;
  redirects: Redirect[];
}

export interface FunctionDefinition {
  kind: "function";
  name: string;
  body: Command;
}

export type Command = SimpleCommand | GroupCommand | FunctionDefinition;

export interface Pipeline {
  commands: Command[];
  /** Ended by `&`. */
  background: boolean;
}

export interface Script {
  pipelines: Pipeline[];
  /** Parsing stopped because the input nests deeper than the parser follows. */
  tooDeep: boolean;
}
