import { useEffect, useState, type SubmitEvent, type ReactNode } from 'react';
import type { DraftCheckReply, DraftCreateReply, DraftFinding, DraftRequest, Scope, SkillDraft } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, PageHeader } from '../components.js';
import { useAction, useApi } from '../hooks.js';

interface Form {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly license: string;
  readonly compatibility: string;
  readonly allowedTools: string;
  readonly body: string;
  readonly scope: Scope;
}

const initialForm: Form = {
  name: '',
  description: '',
  version: '1.0.0',
  license: '',
  compatibility: '',
  allowedTools: '',
  body: '# What this skill does\n\nUse it when …\n\n## Steps\n\n1. …\n',
  scope: 'user',
};

/** How long typing must pause before the draft is checked again. */
const CHECK_DELAY_MS = 250;

/** The draft a form makes: empty optional fields left out of the frontmatter. Pure. */
function draftOf(form: Form): SkillDraft {
  const extra: Record<string, unknown> = { metadata: { version: form.version } };
  if (form.license !== '') extra.license = form.license;
  if (form.compatibility !== '') extra.compatibility = form.compatibility;
  if (form.allowedTools !== '') extra['allowed-tools'] = form.allowedTools;
  return { name: form.name, description: form.description, extra, body: form.body };
}

/** The findings about one form field (a frontmatter key, a dotted path under it, or `body`). */
function findingsFor(findings: readonly DraftFinding[], field: string): DraftFinding[] {
  return findings.filter((finding) => finding.field === field || finding.field?.startsWith(`${field}.`) === true);
}

const FIELDS = ['name', 'description', 'metadata', 'license', 'compatibility', 'allowed-tools', 'body'];

export function BuilderPage(): ReactNode {
  const api = useApi();
  const [form, setForm] = useState<Form>(initialForm);
  const [check, setCheck] = useState<{ reply?: DraftCheckReply; error?: unknown }>({});
  // A field's findings show once it was edited: a fresh form is not a list of mistakes.
  const [touched, setTouched] = useState<ReadonlySet<keyof Form>>(new Set());
  const create = useAction<DraftCreateReply>();

  useEffect(() => {
    const abort = new AbortController();
    const request: DraftRequest = { draft: draftOf(form), scope: form.scope };
    const timer = setTimeout(() => {
      api.post<DraftCheckReply>('/builder/check', request, abort.signal).then(
        (reply) => {
          setCheck({ reply });
        },
        (error: unknown) => {
          if (!abort.signal.aborted) setCheck({ error });
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, form]);

  const findings = check.reply?.findings ?? [];
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const set = (key: keyof Form) => (event: { target: { value: string } }) => {
    setForm({ ...form, [key]: event.target.value });
    setTouched(new Set([...touched, key]));
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    create.run(() => api.post<DraftCreateReply>('/builder/create', { draft: draftOf(form), scope: form.scope } satisfies DraftRequest));
  };
  const shownFindings = (key: keyof Form, finding: string): DraftFinding[] => (touched.has(key) ? findingsFor(findings, finding) : []);
  const field = (key: keyof Form, label: string, finding: string, input: ReactNode): ReactNode => {
    const about = shownFindings(key, finding);
    return (
      <div className="field">
        <label htmlFor={`draft-${key}`}>{label}</label>
        {input}
        {about.length === 0 ? null : (
          <ul className="findings" id={`draft-${key}-findings`}>
            {about.map((item, index) => (
              <li key={index} className={item.severity}>
                <code>{item.code}</code> {item.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  };
  const described = (key: keyof Form, finding: string) => ({
    id: `draft-${key}`,
    value: form[key],
    onChange: set(key),
    'aria-invalid': shownFindings(key, finding).some((item) => item.severity === 'error'),
    'aria-describedby': shownFindings(key, finding).length > 0 ? `draft-${key}-findings` : undefined,
  });
  const other = findings.filter((finding) => finding.field === undefined || !FIELDS.some((name) => finding.field === name || finding.field?.startsWith(`${name}.`) === true));

  return (
    <>
      <PageHeader title="Builder">Write a skill, see how it lands in each client as you type, and add it to the manifest in one step.</PageHeader>
      <div className="builder">
        <form className="draft" onSubmit={onSubmit} aria-label="Skill">
          {field('name', 'Name', 'name', <input {...described('name', 'name')} placeholder="triage-bug" autoComplete="off" spellCheck={false} />)}
          {field('description', 'Description: what it does and when to use it', 'description', <textarea {...described('description', 'description')} rows={2} />)}
          <div className="row">
            {field('version', 'Version', 'metadata', <input {...described('version', 'metadata')} spellCheck={false} />)}
            {field('license', 'License', 'license', <input {...described('license', 'license')} placeholder="optional" />)}
          </div>
          {field('compatibility', 'Compatibility', 'compatibility', <input {...described('compatibility', 'compatibility')} placeholder="optional: what it needs to run" />)}
          {field('allowedTools', 'Allowed tools', 'allowed-tools', <input {...described('allowedTools', 'allowed-tools')} placeholder="optional, space-separated" spellCheck={false} />)}
          {field('body', 'Instructions (markdown)', 'body', <textarea {...described('body', 'body')} rows={14} className="mono" spellCheck={false} />)}
          <div className="field">
            <label htmlFor="draft-scope">Add to</label>
            <select id="draft-scope" value={form.scope} onChange={set('scope')}>
              <option value="user">my user manifest (every project)</option>
              <option value="project">this project&apos;s manifest</option>
            </select>
          </div>
          <div className="validation" aria-live="polite">
            {check.reply === undefined ? null : errors === 0 ? (
              <p className="ok-text">{findings.length === 0 ? 'Valid.' : `Valid, with ${findings.length} warning${findings.length === 1 ? '' : 's'}.`}</p>
            ) : (
              <p className="error-text">
                {errors} error{errors === 1 ? '' : 's'} to fix before it can be created.
              </p>
            )}
            {other.map((finding, index) => (
              <p key={index} className={finding.severity === 'error' ? 'error-text' : 'muted'}>
                <code>{finding.code}</code> {finding.message}
              </p>
            ))}
          </div>
          <ErrorNote error={check.error} title="The draft could not be checked" />
          <button type="submit" className="primary" disabled={create.busy || check.reply === undefined || errors > 0}>
            {create.busy ? 'Creating and syncing…' : 'Create and add'}
          </button>
          <ErrorNote error={create.error} title="The skill was not created" />
          {create.result === undefined ? null : (
            <div className="note note-good" role="status">
              <p>
                Created <strong>{create.result.created.name}</strong> {create.result.created.version} in <code className="wrap">{create.result.created.dir}</code> and added it to{' '}
                <code className="wrap">{create.result.created.manifest}</code>.
              </p>
              <p>{create.result.sync.ok ? `Synced: ${create.result.sync.written} file${create.result.sync.written === 1 ? '' : 's'} written.` : `The sync did not finish: ${create.result.sync.message ?? 'see the daemon log'}.`}</p>
            </div>
          )}
        </form>
        <section className="preview" aria-labelledby="preview">
          <h2 id="preview">Where it lands</h2>
          {check.reply === undefined ? <p className="muted">Type a name and a description to see the preview.</p> : null}
          <ul className="stack">
            {check.reply?.landings.map((landing) => (
              <li key={`${landing.scope}-${landing.client}`} className="landing" data-landing={landing.client}>
                <strong>{landing.client}</strong>{' '}
                {landing.path === undefined ? <span className="muted">{landing.note ?? 'takes no skill folders'}</span> : <code className="wrap">{landing.path}</code>}
                {landing.path !== undefined && landing.note !== undefined ? <span className="muted"> {landing.note}</span> : null}
                {landing.content === undefined ? null : (
                  <details>
                    <summary>SKILL.md</summary>
                    <pre>{landing.content}</pre>
                  </details>
                )}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
