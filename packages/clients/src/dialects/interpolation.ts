import type { TemplateSyntax } from './connector-dialect.js';

/** A manifest string cut into literal text and `${env:NAME}` / `${secret:NAME}` references. */
export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string };

// Same name rule as the manifest's reference check (core find-secret-literals).
const manifestReference = /\$\{(secret|env):([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export function splitReferences(value: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of value.matchAll(manifestReference)) {
    if (match.index > last) segments.push({ kind: 'text', text: value.slice(last, match.index) });
    const name = match[2] ?? '';
    segments.push(match[1] === 'secret' ? { kind: 'secret', name } : { kind: 'env', name });
    last = match.index + match[0].length;
  }
  if (last < value.length) segments.push({ kind: 'text', text: value.slice(last) });
  return segments;
}

export function hasReference(value: string, kind: 'env' | 'secret'): boolean {
  return splitReferences(value).some((segment) => segment.kind === kind);
}

/** A variable name every template syntax can spell; names with `.` or `-` are manifest-only. */
const portableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Translation = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/**
 * Rewrites `${env:NAME}` into the client's syntax. Refuses a literal the client would
 * expand itself (a `${…}` in a VS Code field, a `{env:…}` in opencode), since the client
 * would then read something other than what the manifest says.
 */
export function translateToTemplate(value: string, syntax: TemplateSyntax, options: TemplateOptions = {}): Translation {
  let out = '';
  for (const segment of splitReferences(value)) {
    if (segment.kind === 'secret') return { ok: false, reason: `\${secret:${segment.name}} is resolved by the gateway, never written` };
    if (segment.kind === 'text') {
      if (expandsLiteral(segment.text, syntax, options)) return { ok: false, reason: `the literal text ${JSON.stringify(segment.text)} would be expanded by the client` };
      out += segment.text;
      continue;
    }
    if (!portableName.test(segment.name)) return { ok: false, reason: `the variable name ${segment.name} cannot be written in the client's \`${syntax}\` syntax` };
    out += syntax.replace('NAME', segment.name);
  }
  return { ok: true, value: out };
}

function expandsLiteral(text: string, syntax: TemplateSyntax, options: TemplateOptions): boolean {
  if (syntax === '{env:NAME}') return /\{(?:env|file):/.test(text);
  return text.includes('${') || (options.bareDollar === true && /\$[A-Za-z_]/.test(text));
}

export interface TemplateOptions {
  /** The client also expands `$NAME` without braces (Gemini CLI). */
  readonly bareDollar?: boolean;
}

export interface Untranslated {
  readonly value: string;
  readonly warnings: readonly string[];
}

/**
 * Reads the client's references back into manifest syntax, for `import` and drift.
 * `bareDollar`: the client also expands `$NAME` (Gemini CLI). Client-only variables
 * (`${workspaceFolder}`, `${input:id}`, `{file:…}`) stay as written, with a warning.
 */
export function untranslateTemplate(value: string, syntax: TemplateSyntax, options: TemplateOptions = {}): Untranslated {
  const warnings: string[] = [];
  let out: string;
  if (syntax === '{env:NAME}') {
    out = value.replace(/(?<!\$)\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => `\${env:${name}}`);
    for (const other of value.match(/(?<!\$)\{file:[^}]*\}/g) ?? []) warnings.push(`${other} is an opencode file reference skillsync keeps as text`);
  } else if (syntax === '${env:NAME}') {
    out = value;
    for (const other of value.match(/\$\{(?!env:|secret:)[^}]*\}/g) ?? []) warnings.push(`${other} is a client variable skillsync keeps as text`);
  } else {
    out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      if (fallback !== undefined) warnings.push(`the default in \${${name}:-${fallback}} is dropped: the manifest has no defaults`);
      return `\${env:${name}}`;
    });
    if (options.bareDollar === true) {
      out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => `\${env:${name}}`);
    }
    for (const other of out.match(/\$\{(?!env:|secret:)[^}]*\}/g) ?? []) warnings.push(`${other} is a client variable skillsync keeps as text`);
  }
  return { value: out, warnings };
}
