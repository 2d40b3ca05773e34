import type { ReactNode } from 'react';
import { ApiError } from './api-client.js';

/** A failure where it happened: the code, what went wrong and what to do. */
export function ErrorNote(props: { readonly error: unknown; readonly title?: string }): ReactNode {
  if (props.error === undefined) return null;
  const { code, message, hint } = describeError(props.error);
  return (
    <div className="note note-error" role="alert">
      {props.title === undefined ? null : <strong className="note-title">{props.title}</strong>}
      <p>
        <code>{code}</code> {message}
      </p>
      {hint === undefined ? null : <p className="hint">{hint}</p>}
    </div>
  );
}

/** A thrown ApiError, a serialized error from a reply (`{ code, message, hint }`), or anything else. */
function describeError(error: unknown): { readonly code: string; readonly message: string; readonly hint: string | undefined } {
  if (error instanceof ApiError) return error;
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error && typeof error.code === 'string' && typeof error.message === 'string') {
    return { code: error.code, message: error.message, hint: 'hint' in error && typeof error.hint === 'string' ? error.hint : undefined };
  }
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error), hint: undefined };
}

export function Loading(props: { readonly label?: string }): ReactNode {
  return (
    <p className="loading" role="status" aria-live="polite">
      {props.label ?? 'Loading…'}
    </p>
  );
}

const toneOf: Readonly<Record<string, string>> = {
  'in-sync': 'good',
  'via-gateway': 'good',
  allow: 'good',
  ok: 'good',
  current: 'good',
  active: 'good',
  missing: 'warn',
  behind: 'warn',
  deprecated: 'warn',
  modified: 'warn',
  outdated: 'warn',
  drift: 'warn',
  paused: 'warn',
  notified: 'warn',
  repairing: 'info',
  starting: 'info',
  conflict: 'bad',
  error: 'bad',
  deny: 'bad',
  denied: 'bad',
  held: 'bad',
  drifted: 'bad',
  blocked: 'bad',
  yanked: 'bad',
};

/** A state word in its colour; the word itself always says it (colour is never the only cue). */
export function Pill(props: { readonly value: string; readonly label?: string }): ReactNode {
  return <span className={`pill pill-${toneOf[props.value] ?? 'plain'}`}>{props.label ?? props.value}</span>;
}

export function DiffView(props: { readonly lines: readonly string[] }): ReactNode {
  if (props.lines.length === 0) return null;
  return (
    <pre className="diff" aria-label="diff">
      {props.lines.map((line, index) => (
        <span key={index} className={line.startsWith('+++') || line.startsWith('---') ? 'diff-file' : line.startsWith('@@') ? 'diff-hunk' : line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

export function PageHeader(props: { readonly title: string; readonly children?: ReactNode; readonly actions?: ReactNode }): ReactNode {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.children === undefined ? null : <p className="lede">{props.children}</p>}
      </div>
      {props.actions === undefined ? null : <div className="actions">{props.actions}</div>}
    </header>
  );
}
