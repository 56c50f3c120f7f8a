import type { Word } from "./shell-ast.ts";

/** Options of a command line, read the getopt way: `-rf` is `-r -f`, `-ofile` and `--output=file` carry values. */
export interface ParsedArgs {
  /** Options without a value, as `-r` or `--force`. */
  flags: Set<string>;
  /** Options with values, as `-o` or `--output`, each with every value given. */
  values: Map<string, string[]>;
  positionals: Word[];
}

/**
 * `valueOptions` names the options that take a value (`-o`, `--output`); every other option is a flag.
 * A cluster like `-fsSLo out` stops at the first value option, whose value is the rest of the
 * cluster or else the next argument.
 */
export function parseArgs(args: readonly Word[], valueOptions: readonly string[] = []): ParsedArgs {
  const takesValue = new Set(valueOptions);
  const parsed: ParsedArgs = { flags: new Set(), values: new Map(), positionals: [] };
  const addValue = (name: string, value: string) => parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const text = word.text;
    if (text === "--") {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
    if (text.startsWith("--")) {
      const eq = text.indexOf("=");
      if (eq !== -1) addValue(text.slice(0, eq), text.slice(eq + 1));
      else if (takesValue.has(text)) addValue(text, args[++i]?.text ?? "");
      else parsed.flags.add(text);
      continue;
    }
    if (text.length < 2 || !text.startsWith("-")) {
      parsed.positionals.push(word);
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const option = `-${text[j]}`;
      if (!takesValue.has(option)) {
        parsed.flags.add(option);
        continue;
      }
      const rest = text.slice(j + 1);
      addValue(option, rest !== "" ? rest : (args[++i]?.text ?? ""));
      break;
    }
  }
  return parsed;
}

export function hasFlag(parsed: ParsedArgs, ...names: string[]): boolean {
  return names.some((name) => parsed.flags.has(name) || parsed.values.has(name));
}

export function valuesOf(parsed: ParsedArgs, ...names: string[]): string[] {
  return names.flatMap((name) => parsed.values.get(name) ?? []);
}

/** The final path segment of a command word: `/usr/bin/rm` → `rm`. */
export function commandName(text: string): string {
  const slash = text.lastIndexOf("/");
  return slash === -1 ? text : text.slice(slash + 1);
}
