import { commandName } from "./args.ts";
import { MAX_SHELL_DEPTH, parseShell } from "./command-parser.ts";
import { normalizePath } from "./paths.ts";
import type { Command, FunctionDefinition, Script, SimpleCommand, Word } from "./shell-ast.ts";
import { embeddedScripts, wrappedCommands } from "./wrappers.ts";

/** One program a shell command would start, with what the rules need to judge it. */
export interface Invocation {
  /** The program's name (`rm` for `/bin/rm`); "" for a command of redirects only (`> /dev/sda`). */
  name: string;
  /** The words after the program's name. */
  args: Word[];
  /** The simple command it came from: its redirects and variable assignments. */
  command: SimpleCommand;
  /** The outermost program of its simple command (`sudo` in `sudo rm`): the one the redirects are judged with. */
  primary: boolean;
  /** Programs that started this one (`["sudo", "timeout"]`). */
  wrappers: string[];
  /** The directory an earlier `cd` moved to (relative to the workspace or absolute), or null. */
  cwd: string | null;
  /** Programs earlier in the same pipeline: their output is this one's input. */
  upstream: Invocation[];
}

export interface ShellFacts {
  invocations: Invocation[];
  functions: FunctionDefinition[];
  /** Some part nests deeper than the analyzer follows. */
  tooDeep: boolean;
}

const ONLY_SUBSTITUTIONS = /^(\s*\$\(…\)\s*)+$/;

interface WalkState {
  depth: number;
  cwd: string | null;
}

/** Parses a command line and lists every program it would run, looking through wrappers and nested shells. */
export function collectFacts(commandLine: string): ShellFacts {
  const facts: ShellFacts = { invocations: [], functions: [], tooDeep: false };
  new Walker(facts).walkScript(parseShell(commandLine), { depth: 0, cwd: null }, []);
  return facts;
}

/** The names of the programs a (sub)script runs, wrappers and nested shells included. */
export function programsIn(script: Script): Set<string> {
  const facts: ShellFacts = { invocations: [], functions: [], tooDeep: false };
  new Walker(facts).walkScript(script, { depth: 0, cwd: null }, []);
  return new Set(facts.invocations.map((inv) => inv.name));
}

class Walker {
  constructor(private readonly facts: ShellFacts) {}

  walkScript(script: Script, state: WalkState, inherited: Invocation[]): void {
    if (script.tooDeep) this.facts.tooDeep = true;
    for (const pipeline of script.pipelines) {
      let upstream = inherited;
      for (const command of pipeline.commands) {
        const produced = this.walkCommand(command, state, upstream, pipeline.commands.length === 1);
        upstream = upstream.concat(produced);
      }
    }
  }

  private walkCommand(command: Command, state: WalkState, upstream: Invocation[], alone: boolean): Invocation[] {
    if (command.kind === "function") {
      this.facts.functions.push(command);
      this.walkCommand(command.body, { ...state }, [], false);
      return [];
    }
    if (command.kind === "group") {
      for (const redirect of command.redirects) this.walkSubstitutions(redirect.target, state);
      const before = this.facts.invocations.length;
      this.walkScript(command.body, { ...state }, upstream);
      return this.facts.invocations.slice(before);
    }
    return this.walkSimple(command, state, upstream, alone);
  }

  private walkSimple(command: SimpleCommand, state: WalkState, upstream: Invocation[], alone: boolean): Invocation[] {
    for (const word of command.words) this.walkSubstitutions(word, state);
    for (const assignment of command.assignments) this.walkSubstitutions(assignment.value, state);
    for (const redirect of command.redirects) this.walkSubstitutions(redirect.target, state);
    const before = this.facts.invocations.length;
    this.walkArgv(command.words, command, true, [], state, upstream);
    const produced = this.facts.invocations.slice(before);
    if (alone && command.words[0]?.text === "cd") state.cwd = changeDirectory(state.cwd, command.words[1]?.text);
    return produced;
  }

  private walkArgv(argv: Word[], command: SimpleCommand, primary: boolean, wrappers: string[], state: WalkState, upstream: Invocation[]): void {
    const name = argv.length > 0 ? commandName(argv[0]!.text) : "";
    const args = argv.slice(1);
    this.facts.invocations.push({ name, args, command, primary, wrappers, cwd: state.cwd, upstream });
    if (!name) return;
    for (const code of embeddedScripts(name, args, command.redirects)) {
      if (ONLY_SUBSTITUTIONS.test(code)) continue; // `sh -c "$(…)"`: the code is the substitution, walked already
      if (state.depth + 1 > MAX_SHELL_DEPTH) {
        this.facts.tooDeep = true;
        continue;
      }
      const nested = { depth: state.depth + 1, cwd: state.cwd };
      this.walkScript(parseShell(code, nested.depth), nested, upstream);
    }
    for (const inner of wrappedCommands(name, args)) {
      this.walkArgv(inner, command, false, [...wrappers, name], state, upstream);
    }
  }

  /** `$( )`, backticks and `<( )` run on their own, before the command that holds them. */
  private walkSubstitutions(word: Word, state: WalkState): void {
    for (const sub of word.subs) this.walkScript(sub, { ...state, depth: state.depth + 1 }, []);
  }
}

/** Where `cd TARGET` leads from `cwd`; null stands for the workspace itself. */
function changeDirectory(cwd: string | null, target: string | undefined): string | null {
  if (target === undefined || target === "~") return "~";
  if (target === "-") return cwd;
  const next = normalizePath(target, cwd);
  return next === "." ? null : next;
}
