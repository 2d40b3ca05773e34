import type { Env, SkillsyncPaths } from '@skillsync/core';
import type { Progress, Ui } from './ui.js';

export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The placeholder shown in help for a string option (`--out <dir>`). */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes every remaining positional; only the last one may be variadic. */
  readonly variadic?: boolean;
}

export interface Example {
  readonly command: string;
  readonly description: string;
}

/**
 * The declaration of one command: everything help, parsing and "did you mean" need,
 * as plain data. The handler is behind `load` so a usage error or `--help` never
 * imports the libraries the command runs on.
 */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** One word, or `group sub` (`store verify`). */
  readonly name: string;
  readonly summary: string;
  /** Paragraphs shown by `--help` under the usage line. */
  readonly description?: string;
  readonly positionals: readonly PositionalSpec[];
  /**
   * An argument past the declared ones may be a secret typed on the command line
   * (`secret set NAME VALUE`): usage errors then never repeat it.
   */
  readonly secretArguments?: boolean;
  readonly options: O;
  readonly examples: readonly [Example, ...Example[]];
  readonly load: () => Promise<CommandHandler>;
}

export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K] extends { readonly type: 'boolean' }
    ? boolean
    : O[K] extends { readonly multiple: true }
      ? readonly string[]
      : string | undefined;
};

/** The flags every command accepts; the CLI layer consumes them before a handler runs. */
export interface GlobalFlags {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
}

export type OptionValue = boolean | string | readonly string[] | undefined;

interface CommandInputBase {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly positionals: readonly string[];
  readonly flags: GlobalFlags;
  /** A progress reporter; a no-op unless stderr is an interactive terminal. */
  readonly progress: (label: string) => Progress;
  /**
   * Prints one document now, for a command that reports as it goes (`dev` while it
   * watches): one JSON line with --json, else its text. Absent where no one reads a
   * stream (the dashboard runs commands for their data).
   */
  readonly emit?: (document: RenderableDocument) => void;
}

export interface CommandInput<O extends OptionSpecs> extends CommandInputBase {
  readonly options: OptionValues<O>;
}

/** What the CLI layer passes before the handler narrows `options` to its own spec. */
export interface UntypedCommandInput extends CommandInputBase {
  readonly options: Readonly<Record<string, OptionValue>>;
}

/**
 * What a handler returns: `ok: false` means findings or failures (exit 1), not a crash.
 * `data` is the `--json` document (merged under `ok`), so it must be plain JSON.
 */
export interface CommandResult<T extends object> {
  readonly ok: boolean;
  readonly data: T;
  /** True when the command printed everything it had to say through `emit`: the CLI prints nothing more. */
  readonly streamed?: boolean;
}

/** A document with its human rendering bound, so the CLI layer needs no per-command types. */
export interface RenderableDocument {
  readonly ok: boolean;
  readonly data: object;
  readonly render: (ui: Ui) => string;
}

export interface RenderableResult extends RenderableDocument {
  readonly streamed?: boolean;
}

export interface CommandHandler {
  readonly execute: (input: UntypedCommandInput) => Promise<RenderableResult>;
}

export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/**
 * Pairs a command's `run` (does the work, returns data, never prints) with its
 * `render` (data → text). Only the CLI layer writes either to a stream.
 */
export function defineHandler<O extends OptionSpecs, T extends object>(handler: {
  readonly run: (input: CommandInput<O>) => Promise<CommandResult<T>>;
  /** `env` is there to show paths relative to where the user is. */
  readonly render: (data: T, ui: Ui, env: Env) => string;
}): CommandHandler {
  return {
    execute: async (input) => {
      // The parser builds `options` from this command's own spec, so the cast is sound.
      const result = await handler.run(input as unknown as CommandInput<O>);
      return { ok: result.ok, data: result.data, render: (ui) => handler.render(result.data, ui, input.env), ...(result.streamed === true ? { streamed: true } : {}) };
    },
  };
}
