import { styleText } from 'node:util';

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';

/** Text styling for human output; every function is the identity when colour is off. */
export interface Ui {
  readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly magenta: (text: string) => string;
}

export function createUi(options: { color: boolean; quiet?: boolean; verbose?: boolean }): Ui {
  // We decide about colour ourselves (for stdout or stderr, with FORCE_COLOR), so styleText
  // must not second-guess it from process.stdout.
  const paint = (style: Style) => (text: string) =>
    options.color && text !== '' ? styleText(style, text, { validateStream: false }) : text;
  return {
    color: options.color,
    quiet: options.quiet ?? false,
    verbose: options.verbose ?? false,
    bold: paint('bold'),
    dim: paint('dim'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
    magenta: paint('magenta'),
  };
}

/**
 * Colour is for people: on only when stdout is a terminal and `NO_COLOR` is unset
 * (https://no-color.org), unless `FORCE_COLOR` asks for it or `--no-color` refuses it.
 */
export function shouldUseColor(options: {
  isTTY: boolean;
  vars: Readonly<Record<string, string | undefined>>;
  noColorFlag: boolean;
}): boolean {
  if (options.noColorFlag) return false;
  const force = options.vars.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (force === '0' || force === 'false') return false;
  const noColor = options.vars.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  if (options.vars.TERM === 'dumb') return false;
  return options.isTTY;
}

/** Progress of one long piece of work: a spinner, and a counter when the total is known, on one rewritten stderr line. */
export interface Progress {
  /** Without `done`, shows only the spinner and the label (work whose size is unknown). */
  readonly update: (done?: number, total?: number, detail?: string) => void;
  /** Clears the line; call it before anything else is printed. */
  readonly done: () => void;
}

export const silentProgress: Progress = { update: () => undefined, done: () => undefined };

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const redrawEveryMs = 80;

export function createTerminalProgress(write: (text: string) => void, label: string, now: () => number): Progress {
  let frame = 0;
  let last = 0;
  let text = '';
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = (): void => {
    frame = (frame + 1) % frames.length;
    write(`\r\x1b[2K${frames[frame] ?? ''} ${label}${text}`);
  };
  return {
    update: (done, total, detail) => {
      text = `${done === undefined ? '' : total === undefined ? ` ${done}` : ` ${done}/${total}`}${detail === undefined ? '' : ` ${detail}`}`;
      const time = now();
      // Redrawing on every item of a 500-skill install would cost more than the work.
      if (timer !== undefined && time - last < redrawEveryMs && (total === undefined || done !== total)) return;
      last = time;
      draw();
      // Keeps the spinner turning while the work awaits I/O; unref'd so it never holds the process open.
      timer ??= setInterval(draw, redrawEveryMs).unref();
    },
    done: () => {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      write('\r\x1b[2K');
    },
  };
}
