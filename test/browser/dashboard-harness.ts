import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSandbox, type Sandbox } from '../cli/cli-sandbox.js';
import { repoRoot } from '../support/corpus.js';

/** Debian's Chromium: CI installs it; without it the browser tests skip, saying why. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const noChromiumReason = `the browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium); skipped`;

/** Where each page's screenshot goes; CI keeps the folder as an artifact. */
export const SCREENSHOTS = path.join(repoRoot, 'artifacts', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export interface RunningDaemon {
  readonly sandbox: Sandbox;
  /** The address `up` opens: the dashboard with this start's token in the fragment. */
  readonly link: string;
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/**
 * A real daemon (`skillsync up --detach`) for a sandboxed user, drift only reported
 * (`--on-drift notify`) so a test sees it on the page and repairs it from there.
 */
export async function startSandboxDaemon(sandbox: Sandbox, extraArgs: readonly string[] = []): Promise<RunningDaemon> {
  const { code, json, stderr } = await sandbox.runJson(['up', '--detach', '--no-open', '--headless', '--port', '0', '--on-drift', 'notify', '--settle', '100', ...extraArgs]);
  const link = json.dashboard;
  const url = json.url;
  if (code !== 0 || typeof link !== 'string' || typeof url !== 'string') throw new Error(`skillsync up failed (${code}): ${JSON.stringify(json)}\n${stderr}`);
  return {
    sandbox,
    link,
    url,
    stop: async () => {
      const stopped = await sandbox.run(['daemon', 'stop']);
      if (stopped.code !== 0) {
        const logs = await sandbox.run(['daemon', 'logs', '-n', '40']);
        throw new Error(`skillsync daemon stop failed (${stopped.code}): ${stopped.stdout}${stopped.stderr}\nits last log records:\n${logs.stdout}`);
      }
    },
  };
}

/** A sandboxed user whose home has Claude Code's and Cursor's folders, so both are detected. */
export async function createClientSandbox(): Promise<Sandbox> {
  const sandbox = await createSandbox();
  await Promise.all([mkdir(path.join(sandbox.home, '.claude'), { recursive: true }), mkdir(path.join(sandbox.home, '.cursor'), { recursive: true })]);
  return sandbox;
}

export interface DashboardPage {
  readonly page: Page;
  /** Script errors and Content Security Policy refusals on the page so far: a clean page has none. */
  readonly failures: readonly string[];
}

/** Opens the dashboard the way `up` does and waits until the page is connected to the daemon's events. */
export async function openDashboard(browser: Browser, daemon: RunningDaemon): Promise<DashboardPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) failures.push(message.text());
  });
  await page.goto(daemon.link);
  await page.getByRole('button', { name: 'Sync now', disabled: false }).waitFor();
  return { page, failures };
}
