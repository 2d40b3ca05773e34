import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { createRegistryClient, type RegistryClient } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, runNode, type CliRun, type Sandbox } from '../cli/cli-sandbox.js';
import { hasChromium, launchChromium, noChromiumReason, openDashboard, screenshot, startSandboxDaemon, type DashboardPage, type RunningDaemon } from './dashboard-harness.js';
import { publishSkill } from '../support/server-process.js';

/*
 * The dashboard's Org pages in Debian's Chromium: a real org server (in this process,
 * SQLite in memory, on a loopback port) and a real daemon of a sandboxed user who ran
 * `skillsync login` as the org's owner. Each page is saved to
 * artifacts/screenshots/org-<tab>.png.
 */

if (!hasChromium) console.warn(noChromiumReason);

/** `skillsync login --registry <address> --token-stdin` as the sandbox's user, the token on stdin. */
function login(sandbox: Sandbox, address: string, token: string): Promise<CliRun> {
  return runNode([cliBin, 'login', '--registry', address, '--token-stdin'], {
    cwd: sandbox.work,
    env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
    input: `${token}\n`,
  });
}

async function goToOrgTab(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Org pages' }).getByRole('link', { name: label }).click();
  await page.getByRole('link', { name: label, exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
}

describe.skipIf(!hasChromium)('the Org pages, against a real org server and daemon', () => {
  let registry: RunningServer;
  let acme: string;
  let owner: RegistryClient;
  let sandbox: Sandbox;
  let daemon: RunningDaemon;
  let browser: Browser;
  let dashboard: DashboardPage;
  let page: Page;
  /** Undone last first, whatever beforeAll got to. */
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    sandbox = await createSandbox();
    cleanups.push(sandbox.cleanup);
    registry = await startServer({ env: createEnv({ home: sandbox.root, cwd: sandbox.root }), database: ':memory:', listen: { host: '127.0.0.1', port: 0 } });
    cleanups.push(() => registry.close());
    const org = await initOrg(registry.context, { org: 'acme', owner: 'olivia' });
    acme = `${registry.url}/v0.1/orgs/acme`;
    owner = createRegistryClient({ address: acme, token: org.token.token });
    await owner.updateOrgSettings({ reporting: true });
    await owner.putScopeProfile('org', { required: [{ name: 'triage-bug', version: '^1.1.0' }], blockedSkills: ['legacy-notes'] });
    for (const [user, role] of [['mo', 'member'], ['ana', 'auditor'], ['kai', 'member']] as const) await owner.addMember({ user, role });
    await owner.createTeam({ team: 'platform', description: 'Builds and runs the platform' });
    await owner.setTeamMember('platform', 'mo', 'publisher');
    await owner.setTeamMember('platform', 'olivia', 'admin');
    await publishSkill(owner, path.join(sandbox.root, 'skills'), 'triage-bug', '1.0.0');
    await publishSkill(owner, path.join(sandbox.root, 'skills'), 'triage-bug', '1.1.0');
    const mo = createRegistryClient({ address: acme, token: (await owner.createToken({ name: 'mo laptop', user: 'mo', scopes: ['report'] })).token });
    await mo.postReport({ device: 'mo-laptop', clients: ['claude-code', 'cursor'], skills: [{ name: 'triage-bug', version: '1.0.0', integrity: 'sha512-x' }], drift: { modified: 1 } });
    const kai = createRegistryClient({ address: acme, token: (await owner.createToken({ name: 'kai laptop', user: 'kai', scopes: ['report'] })).token });
    const kaiSkills = [
      { name: 'triage-bug', version: '1.1.0', integrity: 'sha512-y' },
      { name: 'legacy-notes', version: '0.3.0', integrity: 'sha512-z' },
    ];
    await kai.postReport({ device: 'kai-laptop', clients: ['cursor'], skills: kaiSkills, drift: {} });

    const loggedIn = await login(sandbox, acme, org.token.token);
    if (loggedIn.code !== 0) throw new Error(`skillsync login failed (${loggedIn.code}): ${loggedIn.stdout}${loggedIn.stderr}`);
    daemon = await startSandboxDaemon(sandbox);
    cleanups.push(daemon.stop);
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    dashboard = await openDashboard(browser, daemon);
    page = dashboard.page;
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it('shows who is in parity: each member’s state, what they are behind on or run though blocked, and when they reported', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Org' }).click();
    await page.getByRole('heading', { level: 1, name: 'Org' }).waitFor();
    const mo = page.locator('[data-member="mo"]');
    await expect.poll(() => mo.textContent()).toContain('behind');
    expect(await mo.textContent()).toContain('triage-bug');
    expect(await mo.textContent()).toContain('needs ^1.1.0');
    expect(await page.locator('[data-member="ana"]').textContent()).toContain('never');
    // The owner's own daemon reports this machine (the org collects reports).
    await expect.poll(async () => (await owner.getParity()).members.find((member) => member.user === 'olivia')?.reportedAt, { timeout: 15_000 }).toBeDefined();
    const kai = page.locator('[data-member="kai"]');
    expect(await kai.textContent()).toContain('blocked');
    expect(await kai.textContent()).toContain('legacy-notes 0.3.0');
    // mo, and olivia too while her daemon's first report predates its install of the required skill.
    expect(await page.getByRole('list', { name: 'Members by state' }).textContent()).toMatch(/behind\s*[12]/);
    expect(await page.getByRole('list', { name: 'Members by state' }).textContent()).toMatch(/blocked\s*1/);
    expect(await page.locator('header').textContent()).toContain('olivia (owner)');
    await screenshot(page, 'org-parity');
  });

  it('lists the org’s skills with their versions, and yanks one', async () => {
    await goToOrgTab(page, 'Skills');
    const card = page.locator('[data-org-skill="triage-bug"]');
    await expect.poll(() => card.textContent()).toContain('latest 1.1.0');
    await card.getByRole('button', { name: 'Versions' }).click();
    const old = card.locator('[data-version="1.0.0"]');
    await expect.poll(() => old.textContent()).toContain('active');
    await old.getByRole('button', { name: 'Yank…' }).click();
    await old.getByLabel('Message').fill('broken on Windows: use 1.1.0');
    await old.getByRole('button', { name: 'Yank 1.0.0' }).click();
    await expect.poll(() => old.textContent(), { timeout: 15_000 }).toContain('yanked');
    expect(await old.textContent()).toContain('broken on Windows');
    expect(await owner.getVersion('triage-bug', '1.0.0')).toMatchObject({ status: 'yanked', statusMessage: 'broken on Windows: use 1.1.0' });
    await screenshot(page, 'org-skills');
  }, 60_000);

  it('shows the teams with their members’ roles, and every member', async () => {
    await goToOrgTab(page, 'Teams');
    const team = page.locator('[data-team="platform"]');
    await expect.poll(() => team.textContent()).toContain('mo · publisher');
    expect(await team.textContent()).toContain('olivia · admin');
    await expect.poll(() => page.getByRole('table', { name: 'Members' }).locator('[data-member="ana"]').textContent()).toContain('auditor');
    await screenshot(page, 'org-teams');
  });

  it('creates a token shown once, and revokes it', async () => {
    await goToOrgTab(page, 'Tokens');
    await page.locator('[data-token="owner (server init)"]').getByText('this login').waitFor();
    await page.getByLabel('Name').fill('ci-publish');
    await page.getByRole('checkbox', { name: /^publish/ }).check();
    await page.getByLabel('Valid for (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status', { name: 'New token' });
    const token = (await shown.locator('code').textContent()) ?? '';
    expect(token).toMatch(/^ssk_[A-Za-z0-9_-]{43}$/);
    expect((await createRegistryClient({ address: acme, token }).whoami()).token).toMatchObject({ name: 'ci-publish', scopes: expect.arrayContaining(['read', 'publish']) as unknown });
    await page.locator('[data-token="ci-publish"]').waitFor();
    await screenshot(page, 'org-tokens');

    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(token);
    const row = page.locator('[data-token="ci-publish"]');
    await row.getByRole('button', { name: 'Revoke…' }).click();
    await row.getByRole('button', { name: 'Revoke ci-publish' }).click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    await expect(createRegistryClient({ address: acme, token }).whoami()).rejects.toMatchObject({ code: 'SERVER_UNAUTHENTICATED' });
  }, 60_000);

  it('reads the admin audit log (the yank and the tokens are in it) and verifies the chain', async () => {
    await goToOrgTab(page, 'Audit');
    const records = page.getByRole('table', { name: 'Org audit records' });
    await expect.poll(() => records.textContent()).toContain('revokeToken');
    expect(await records.textContent()).toContain('setVersionStatus');
    expect(await records.textContent()).toContain('skill:triage-bug@1.0.0');
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Verified' }).count()).toBe(1);
    await screenshot(page, 'org-audit');
  });

  it('offers a choice among several logins; where reporting is off and the role is member, says so', async () => {
    const beta = await initOrg(registry.context, { org: 'beta', owner: 'bea' });
    const betaAddress = `${registry.url}/v0.1/orgs/beta`;
    const betaOwner = createRegistryClient({ address: betaAddress, token: beta.token.token });
    await betaOwner.addMember({ user: 'olivia', role: 'member' });
    const loggedIn = await login(sandbox, betaAddress, (await betaOwner.createToken({ name: 'olivia', user: 'olivia', scopes: ['admin'] })).token);
    expect(loggedIn.code, loggedIn.stderr).toBe(0);

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Org' }).click();
    await page.getByLabel('Registry').selectOption(betaAddress);
    await page.getByRole('heading', { name: 'Reporting is off in beta' }).waitFor();
    await page.getByText('Your role does not allow this.').waitFor();
    expect(await page.locator('header').textContent()).toContain('olivia (member)');
    await screenshot(page, 'org-forbidden');
    expect(dashboard.failures).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('the Org pages without a login', () => {
  it('say how to log in', async () => {
    const sandbox = await createSandbox();
    let daemon: RunningDaemon | undefined;
    let browser: Browser | undefined;
    try {
      daemon = await startSandboxDaemon(sandbox);
      browser = await launchChromium();
      const { page, failures } = await openDashboard(browser, daemon);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Org' }).click();
      await page.getByRole('heading', { name: 'You are not logged in to an org registry' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('skillsync login --registry');
      await screenshot(page, 'org-not-logged-in');
      expect(failures).toEqual([]);
    } finally {
      await browser?.close();
      await daemon?.stop();
      await sandbox.cleanup();
    }
  }, 90_000);
});
