import { parseArgs } from 'node:util';
import { SkillsyncError, suggest } from '@skillsync/core';
import { globalOptions } from './command-table.js';
import type { CommandSpec, OptionSpec, OptionSpecs } from './define-command.js';

export interface GlobalValues {
  readonly json: boolean;
  readonly cwd: string | undefined;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly noColor: boolean;
}

export type ParsedCommandLine =
  | { readonly kind: 'overview'; readonly globals: GlobalValues }
  | { readonly kind: 'version'; readonly globals: GlobalValues }
  /** `topic` is a command, a group name (`store`), or undefined for the global help. */
  | { readonly kind: 'help'; readonly globals: GlobalValues; readonly topic: CommandSpec | string | undefined }
  | {
      readonly kind: 'command';
      readonly globals: GlobalValues;
      readonly spec: CommandSpec;
      readonly positionals: readonly string[];
      readonly options: Readonly<Record<string, boolean | string | readonly string[] | undefined>>;
    };

/** Names of command groups (`store` for `store verify`, `server` for `server audit prune`) and their sub-commands. */
export function commandGroups(table: readonly CommandSpec[]): Map<string, CommandSpec[]> {
  const groups = new Map<string, CommandSpec[]>();
  for (const spec of table) {
    const [group, sub] = spec.name.split(' ');
    if (group === undefined || sub === undefined) continue;
    groups.set(group, [...(groups.get(group) ?? []), spec]);
  }
  return groups;
}

/** The words a user may type first: single commands, groups, and `help`. */
export function topLevelWords(table: readonly CommandSpec[]): string[] {
  return [...new Set([...table.map((spec) => spec.name.split(' ')[0] ?? spec.name), 'help'])];
}

/**
 * Turns argv into what to do. Every mistake is a `USAGE` error (exit 2) that names the
 * offending word and, where one is close, the word the user probably meant.
 */
export function parseCommandLine(argv: readonly string[], table: readonly CommandSpec[]): ParsedCommandLine {
  const words = locateCommandWords(argv);
  const groups = commandGroups(table);
  const first = words[0];

  if (first === undefined) {
    const { globals, help, version, positionals } = parseOptions(argv, {}, 'skillsync');
    if (help) return { kind: 'help', globals, topic: undefined };
    if (version) return { kind: 'version', globals };
    const extra = positionals[0];
    if (extra !== undefined) throw usage(`Unexpected argument '${extra}'.`);
    return { kind: 'overview', globals };
  }

  if (first.value === 'help') {
    const { globals, positionals } = parseOptions(argv.filter((_, i) => i !== first.index), {}, 'skillsync help');
    const topicWords = positionals.join(' ');
    if (topicWords === '') return { kind: 'help', globals, topic: undefined };
    return { kind: 'help', globals, topic: findTopic(topicWords, table) };
  }

  const group = groups.get(first.value);
  if (group !== undefined) {
    // The longest name the words spell: `server audit prune` before `server audit`.
    for (const count of [3, 2]) {
      const typed = words.slice(0, count);
      const sub = typed.length === count ? group.find((spec) => spec.name === typed.map((word) => word.value).join(' ')) : undefined;
      if (sub !== undefined) return commandFrom(sub, argv.filter((_, index) => !typed.some((word) => word.index === index)));
    }
    const second = words[1];
    const nested = second === undefined ? undefined : `${first.value} ${second.value}`;
    if (nested !== undefined && group.some((spec) => spec.name.startsWith(`${nested} `))) {
      return nestedGroup(nested, group, argv.filter((_, index) => index !== first.index && index !== second?.index));
    }
    const withoutGroup = argv.filter((_, i) => i !== first.index);
    // A word can be a command and a group at once (`audit`, `audit verify`): without a
    // sub-command it is the command. Its option values (`--since 7d`) look like words
    // here, so parse with its options before deciding a word is a mistyped sub-command.
    const standalone = table.find((candidate) => candidate.name === first.value);
    if (standalone === undefined) return nestedGroup(first.value, group, withoutGroup);
    const typed = parseOptions(withoutGroup, standalone.options, `skillsync ${first.value}`).positionals[0];
    if (typed !== undefined && standalone.positionals.length === 0) {
      throw unknownWord(`${first.value} sub-command`, typed, subWords(first.value, group), `skillsync ${first.value} --help`);
    }
    return commandFrom(standalone, withoutGroup);
  }

  const spec = table.find((candidate) => candidate.name === first.value);
  if (spec === undefined) {
    throw unknownWord('command', first.value, topLevelWords(table), 'skillsync --help');
  }
  return commandFrom(spec, argv.filter((_, i) => i !== first.index));
}

/** `skillsync <group> [word]` where no command is named: the group's help, or a USAGE error naming its sub-commands. */
function nestedGroup(name: string, group: readonly CommandSpec[], args: readonly string[]): ParsedCommandLine {
  const { globals, help, positionals } = parseOptions(args, {}, `skillsync ${name}`);
  if (help && positionals.length === 0) return { kind: 'help', globals, topic: name };
  const names = subWords(name, group);
  const typed = positionals[0];
  if (typed === undefined) {
    throw usage(`\`skillsync ${name}\` needs a sub-command: ${names.join(', ')}.`, `Run \`skillsync ${name} --help\`.`);
  }
  throw unknownWord(`${name} sub-command`, typed, names, `skillsync ${name} --help`);
}

/** The words that may follow `name` (`init`, `token`, `audit` after `server`), once each. */
function subWords(name: string, group: readonly CommandSpec[]): string[] {
  const depth = name.split(' ').length;
  return [...new Set(group.filter((spec) => spec.name.startsWith(`${name} `)).map((spec) => spec.name.split(' ')[depth] ?? spec.name))];
}

function commandFrom(spec: CommandSpec, args: readonly string[]): ParsedCommandLine {
  const parsed = parseOptions(args, spec.options, `skillsync ${spec.name}`);
  if (parsed.help) return { kind: 'help', globals: parsed.globals, topic: spec };
  if (parsed.version) return { kind: 'version', globals: parsed.globals };
  checkPositionals(spec, parsed.positionals);
  return { kind: 'command', globals: parsed.globals, spec, positionals: parsed.positionals, options: parsed.options };
}

interface CommandWord {
  readonly value: string;
  readonly index: number;
}

/**
 * The command is the first positional; it may follow global flags (`--cwd x install`),
 * so flags that take a value must be skipped with their value. Up to three words are
 * returned for groups (`store verify`, `server audit prune`).
 */
function locateCommandWords(argv: readonly string[]): CommandWord[] {
  const words: CommandWord[] = [];
  for (let index = 0; index < argv.length && words.length < 3; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-') && arg !== '-') {
      const name = arg.replace(/^--?/, '');
      const spec: OptionSpec | undefined = (globalOptions as OptionSpecs)[name];
      if (spec?.type === 'string' && !arg.includes('=')) index += 1;
      continue;
    }
    words.push({ value: arg, index });
  }
  return words;
}

interface ParsedOptions {
  readonly globals: GlobalValues;
  readonly help: boolean;
  readonly version: boolean;
  readonly positionals: string[];
  readonly options: Record<string, boolean | string | readonly string[] | undefined>;
}

/**
 * Non-strict `parseArgs` with our own checks on its tokens, so each mistake gets a
 * precise message and a suggestion instead of Node's generic one.
 */
function parseOptions(args: readonly string[], commandOptions: OptionSpecs, usageOf: string): ParsedOptions {
  const all: Record<string, OptionSpec> = { ...globalOptions, ...commandOptions };
  const config: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(all)) {
    config[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  const { tokens } = parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, boolean | string | string[] | undefined> = {};
  const positionals: string[] = [];
  const flagNames = Object.keys(all).map((name) => `--${name}`);

  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = all[token.name];
    if (spec === undefined) {
      throw unknownWord('option', token.rawName, flagNames, `${usageOf} --help`);
    }
    if (spec.type === 'boolean') {
      if (token.inlineValue === true) {
        throw usage(`Option ${token.rawName} does not take a value.`, `Write ${token.rawName} on its own.`);
      }
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && value !== '-')) {
      throw usage(`Option ${token.rawName} needs a value: ${token.rawName} <${spec.value ?? 'value'}>.`);
    }
    if (spec.multiple === true) {
      const previous = values[token.name];
      values[token.name] = [...(Array.isArray(previous) ? previous : []), value];
    } else {
      values[token.name] = value;
    }
  }

  const options: Record<string, boolean | string | readonly string[] | undefined> = {};
  for (const [name, spec] of Object.entries(commandOptions)) {
    const value = values[name];
    options[name] = spec.type === 'boolean' ? value === true : spec.multiple === true ? (value ?? []) : value;
  }
  const cwd = values.cwd;
  return {
    globals: {
      json: values.json === true,
      cwd: typeof cwd === 'string' ? cwd : undefined,
      quiet: values.quiet === true,
      verbose: values.verbose === true,
      noColor: values['no-color'] === true,
    },
    help: values.help === true,
    version: values.version === true,
    positionals,
    options,
  };
}

function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const required = spec.positionals.filter((p) => p.required === true);
  const missing = required[positionals.length];
  if (positionals.length < required.length && missing !== undefined) {
    throw usage(`\`skillsync ${spec.name}\` needs <${missing.name}>: ${missing.description.toLowerCase()}.`, `Usage: ${usageLine(spec)}`);
  }
  const variadic = spec.positionals.some((p) => p.variadic === true);
  if (!variadic && positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length] ?? '';
    if (spec.secretArguments === true) {
      throw usage(
        `\`skillsync ${spec.name}\` takes no argument after <${spec.positionals.at(-1)?.name ?? 'name'}>; a secret value is never a command-line argument (it would stay in your shell history).`,
        'Pipe the value in, type it at the hidden prompt, or use --from-env VAR; then clear the value from your shell history.',
      );
    }
    throw usage(`Unexpected argument '${extra}' for \`skillsync ${spec.name}\`.`, `Usage: ${usageLine(spec)}`);
  }
}

/** `skillsync pack [path] [--out <dir>] …`, derived from the spec so it cannot drift. */
export function usageLine(spec: CommandSpec): string {
  const parts = [`skillsync ${spec.name}`];
  for (const positional of spec.positionals) {
    const name = positional.variadic === true ? `${positional.name}…` : positional.name;
    parts.push(positional.required === true ? `<${name}>` : `[${name}]`);
  }
  for (const [name, option] of Object.entries(spec.options)) {
    parts.push(option.type === 'boolean' ? `[--${name}]` : `[--${name} <${option.value ?? 'value'}>]`);
  }
  return parts.join(' ');
}

function findTopic(words: string, table: readonly CommandSpec[]): CommandSpec | string {
  const spec = table.find((candidate) => candidate.name === words);
  if (spec !== undefined) return spec;
  if (table.some((candidate) => candidate.name.startsWith(`${words} `))) return words;
  throw unknownWord('command', words, table.map((candidate) => candidate.name), 'skillsync --help');
}

function usage(message: string, hint?: string): SkillsyncError {
  return new SkillsyncError('USAGE', message, hint === undefined ? {} : { hint });
}

function unknownWord(kind: string, word: string, candidates: readonly string[], helpCommand: string): SkillsyncError {
  const suggestion = suggest(word.replace(/^--?/, ''), candidates.map((c) => c.replace(/^--/, '')));
  const meant = suggestion === undefined ? undefined : `${word.startsWith('-') ? '--' : ''}${suggestion}`;
  return new SkillsyncError('USAGE', `Unknown ${kind} '${word}'.${meant === undefined ? '' : ` Did you mean '${meant}'?`}`, {
    hint: meant === undefined ? `Run \`${helpCommand}\` to see what is available.` : `Did you mean \`${meant}\`? Run \`${helpCommand}\` to see what is available.`,
    details: { [kind === 'option' ? 'option' : 'command']: word, ...(meant === undefined ? {} : { suggestion: meant }) },
  });
}
