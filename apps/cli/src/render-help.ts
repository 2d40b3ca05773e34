import { globalOptions } from './command-table.js';
import type { CommandSpec, OptionSpecs } from './define-command.js';
import { usageLine } from './parse-command-line.js';
import type { Ui } from './ui.js';

export function renderGlobalHelp(table: readonly CommandSpec[], version: string, ui: Ui): string {
  const width = Math.max(...table.map((spec) => spec.name.length)) + 2;
  return [
    `${ui.bold('skillsync')} ${version}: versioned AI skills and MCP connectors, in sync across every AI client`,
    '',
    `${ui.bold('Usage:')} skillsync <command> [options]`,
    '       skillsync             show the manifests, installed skills and AI clients found here',
    '',
    ui.bold('Commands:'),
    ...table.map((spec) => `  ${ui.cyan(spec.name.padEnd(width))}${spec.summary}`),
    '',
    ui.bold('Global options:'),
    ...renderOptions(globalOptions, ui),
    '',
    'Run `skillsync <command> --help` for its options and examples.',
    '',
  ].join('\n');
}

export function renderCommandHelp(spec: CommandSpec, ui: Ui): string {
  const lines = [`${ui.bold(`skillsync ${spec.name}`)}: ${spec.summary}`, '', `${ui.bold('Usage:')} ${usageLine(spec)}`];
  if (spec.description !== undefined) lines.push('', ...wrap(spec.description, 88));
  if (spec.positionals.length > 0) {
    const width = Math.max(...spec.positionals.map((p) => p.name.length)) + 4;
    lines.push('', ui.bold('Arguments:'));
    for (const positional of spec.positionals) {
      lines.push(`  ${ui.cyan(`<${positional.name}>`.padEnd(width))}${positional.description}`);
    }
  }
  if (Object.keys(spec.options).length > 0) lines.push('', ui.bold('Options:'), ...renderOptions(spec.options, ui));
  lines.push(
    '',
    `${ui.bold('Global options:')} ${Object.keys(globalOptions)
      .map((name) => `--${name}`)
      .join(', ')}`,
    '',
    ui.bold('Examples:'),
  );
  for (const example of spec.examples) lines.push(`  ${ui.dim('$')} ${example.command}`, `      ${ui.dim(example.description)}`);
  lines.push('');
  return lines.join('\n');
}

export function renderGroupHelp(group: string, table: readonly CommandSpec[], ui: Ui): string {
  const members = table.filter((spec) => spec.name.startsWith(`${group} `));
  const width = Math.max(...members.map((spec) => spec.name.length)) + 2;
  return [
    `${ui.bold('Usage:')} skillsync ${group} <${members.map((spec) => spec.name.slice(group.length + 1)).join('|')}> [options]`,
    '',
    ui.bold('Commands:'),
    ...members.map((spec) => `  ${ui.cyan(spec.name.padEnd(width))}${spec.summary}`),
    '',
    `Run \`skillsync ${group} <command> --help\` for its options and examples.`,
    '',
  ].join('\n');
}

function renderOptions(options: OptionSpecs, ui: Ui): string[] {
  const labels = Object.entries(options).map(([name, option]) => {
    const long = option.type === 'string' ? `--${name} <${option.value ?? 'value'}>` : `--${name}`;
    return [option.short === undefined ? `    ${long}` : `-${option.short}, ${long}`, option.description] as const;
  });
  const width = Math.max(...labels.map(([label]) => label.length)) + 2;
  return labels.map(([label, description]) => `  ${ui.cyan(label.padEnd(width))}${description}`);
}

/** Greedy word wrap for help paragraphs; a word longer than the width gets its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
