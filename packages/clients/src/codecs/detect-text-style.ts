/**
 * How a text file is laid out, so inserted text matches what is around it. Shared
 * by every codec: one detector, so JSON, TOML, YAML and Markdown agree on a file.
 */
export interface TextStyle {
  /** The dominant line ending; `\n` when the text has none. */
  readonly eol: '\n' | '\r\n';
  /** One level of indentation: a tab, or 1-8 spaces (2 when nothing is indented). */
  readonly indent: string;
  readonly finalNewline: boolean;
}

export function detectTextStyle(text: string): TextStyle {
  let crlf = 0;
  let lf = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    if (index > 0 && text[index - 1] === '\r') crlf += 1;
    else lf += 1;
  }
  return {
    eol: crlf > lf ? '\r\n' : '\n',
    indent: detectIndent(text),
    finalNewline: text.endsWith('\n'),
  };
}

/**
 * The most common positive step between the indentation of consecutive indented
 * lines (what detect-indent does): robust to a file whose first indented line is deep.
 */
function detectIndent(text: string): string {
  let tabLines = 0;
  let spaceLines = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^[ \t]*/.exec(line);
    const leading = match === null ? '' : match[0];
    if (leading.startsWith('\t')) {
      tabLines += 1;
      continue;
    }
    const width = leading.length;
    if (width > 0) spaceLines += 1;
    const step = width - previous;
    if (step > 0 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
    previous = width;
  }
  if (tabLines > spaceLines) return '\t';
  let best = 2;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return ' '.repeat(best);
}
