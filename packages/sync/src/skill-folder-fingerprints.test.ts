import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashSkillFolder, RACY_WINDOW_MS } from '@skillsync/store';
import { describe, expect, it } from 'vitest';
import { loadSkillFolderFingerprints, skillFolderFingerprintsFile } from './skill-folder-fingerprints.js';
import { createSyncFixture } from './test-support/sync-fixture.js';

/** A clock far enough ahead that stamps written just now count as settled (older than the racy window). */
const later = () => Date.now() + 10 * RACY_WINDOW_MS;
/** Past the coarsest file clock tick, so a change lands on a new timestamp. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

async function setup() {
  const fixture = await createSyncFixture();
  const root = path.join(fixture.home, '.claude', 'skills');
  const dirs = ['one', 'two', 'three'].map((name) => path.join(root, name));
  for (const dir of dirs) {
    await mkdir(path.join(dir, 'references'), { recursive: true });
    await writeFile(path.join(dir, 'SKILL.md'), `---\nname: ${path.basename(dir)}\ndescription: A skill.\n---\n\nDo it.\n`);
    await writeFile(path.join(dir, 'references', 'guide.md'), '# Guide\n');
  }
  const load = (now?: () => number) => loadSkillFolderFingerprints(fixture.stateDir, 'user', undefined, now === undefined ? {} : { now });
  return { fixture, dirs, load };
}

describe('skill folder fingerprints', () => {
  it('are saved when settled, reused by the next run, and rewritten only when something changed', async () => {
    const { fixture, dirs, load } = await setup();
    const first = await load(later);
    for (const dir of dirs) expect(await first.state(dir)).toBe(await hashSkillFolder(dir));
    expect(await first.save({ prune: true })).toBe(true);
    const file = skillFolderFingerprintsFile(fixture.stateDir, 'user');
    const saved = await readFile(file, 'utf8');
    // Compact: one layout shared by the three folders, a digest per folder, no stamps in clear.
    expect(JSON.parse(saved)).toMatchObject({ version: 1, layouts: [['', 'SKILL.md', 'references', 'references/guide.md']] });
    expect(Object.keys((JSON.parse(saved) as { folders: object }).folders)).toEqual([...dirs].sort());

    // The next run finds every folder as fingerprinted: nothing to write.
    const second = await load();
    for (const dir of dirs) expect(await second.state(dir)).toBe(await hashSkillFolder(dir));
    expect(await second.save({ prune: true })).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(saved);
  });

  it('see an edit, a same-size edit with its mtime put back, an added and a deleted file', async () => {
    const { fixture, dirs, load } = await setup();
    const [one, two, three] = dirs as [string, string, string];
    const first = await load(later);
    for (const dir of dirs) await first.state(dir);
    await first.save({ prune: true });
    const before = new Map(await Promise.all(dirs.map(async (dir) => [dir, await hashSkillFolder(dir)] as const)));

    await tick();
    // A same-size edit with the mtime put back exactly: only the ctime shows it.
    const guide = path.join(one, 'references', 'guide.md');
    const { mtime, size } = await stat(guide);
    const whole = new Date(Math.floor(mtime.getTime() / 1000) * 1000);
    await utimes(guide, whole, whole);
    const fingerprinted = await load(later);
    await fingerprinted.state(one);
    await fingerprinted.save({ prune: false });
    await tick();
    await writeFile(guide, '# Gxide\n');
    await utimes(guide, whole, whole);
    expect(await stat(guide)).toMatchObject({ size, mtimeMs: whole.getTime() });
    // Added, and deleted.
    await writeFile(path.join(two, 'references', 'extra.md'), 'x');
    await rm(path.join(three, 'references', 'guide.md'));

    const next = await load(later);
    for (const dir of dirs) {
      const now = await next.state(dir);
      expect(now, dir).toBe(await hashSkillFolder(dir));
      expect(now, dir).not.toBe(before.get(dir));
    }
    // A folder gone is absent, and leaves the file on the next save.
    await rm(one, { recursive: true });
    const after = await load();
    expect(await after.state(one)).toBe('absent');
    expect(await after.save({ prune: false })).toBe(true);
    const saved = JSON.parse(await readFile(skillFolderFingerprintsFile(fixture.stateDir, 'user'), 'utf8')) as { folders: object };
    expect(Object.keys(saved.folders)).toEqual([two, three].sort());
  });

  it('never saves a fingerprint taken within the racy window of a write: the next run hashes again', async () => {
    const { fixture, dirs, load } = await setup();
    // The real clock, right after the files were written.
    const racy = await load();
    for (const dir of dirs) await racy.state(dir);
    expect(await racy.save({ prune: true })).toBe(false);
    expect(await readFile(skillFolderFingerprintsFile(fixture.stateDir, 'user'), 'utf8').catch(() => undefined)).toBeUndefined();
  });

  it('ignore a damaged or foreign file, and a folder read through a stale entry is hashed again', async () => {
    const { fixture, dirs, load } = await setup();
    const file = skillFolderFingerprintsFile(fixture.stateDir, 'user');
    await mkdir(path.dirname(file), { recursive: true });
    for (const text of ['{not json', '{"version":2,"layouts":[],"folders":{}}', JSON.stringify({ version: 1, layouts: [['x']], folders: { [dirs[0] as string]: ['sha512-planted', 0, 'AAAA'] } })]) {
      await writeFile(file, text);
      const fingerprints = await load();
      for (const dir of dirs) expect(await fingerprints.state(dir)).toBe(await hashSkillFolder(dir));
    }
    // An entry whose digest does not match the folder's stamps is not trusted either.
    await writeFile(file, JSON.stringify({ version: 1, layouts: [['', 'SKILL.md', 'references', 'references/guide.md']], folders: { [dirs[0] as string]: ['sha512-planted', 0, 'AAAA'] } }));
    expect(await (await load()).state(dirs[0] as string)).toBe(await hashSkillFolder(dirs[0] as string));
  });

  it('find absent folders by listing their parent once, with the same answer as a stat', async () => {
    const { fixture, dirs, load } = await setup();
    const root = path.dirname(dirs[0] as string);
    const fingerprints = await load();
    const asked = [...dirs, path.join(root, 'missing'), path.join(root, 'ONE'), path.join(fixture.home, 'no-such-folder', 'x')];
    const states = await fingerprints.states(asked, path);
    expect(states.slice(0, 3)).toEqual(await Promise.all(dirs.map(async (dir) => hashSkillFolder(dir))));
    expect(states[3]).toBe('absent');
    // A near match (case) is stat'ed, so a case-insensitive file system still finds the folder; here it is absent.
    expect(states[4]).toBe((await stat(path.join(root, 'ONE')).catch(() => undefined)) === undefined ? 'absent' : await hashSkillFolder(path.join(root, 'ONE')));
    expect(states[5]).toBe('absent');
  });
});
