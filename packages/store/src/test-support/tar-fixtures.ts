import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';
import { afterAll } from 'vitest';

/** One raw tar entry for building hostile or odd tarballs in tests. */
export interface RawEntry {
  readonly path: string;
  readonly type?: HeaderData['type'];
  readonly content?: string | Uint8Array;
  readonly linkpath?: string;
  readonly mode?: number;
  /** Overrides the header size (to lie about it). */
  readonly size?: number;
  /** Writes a pax header carrying this path before the entry. */
  readonly paxPath?: string;
}

/** Encodes entries with node-tar's Header (and Pax for long names), then the end-of-archive blocks. */
export function buildRawTar(entries: readonly RawEntry[], options: { end?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : Buffer.from(entry.content ?? []);
    if (entry.paxPath !== undefined) chunks.push(new Pax({ path: entry.paxPath }).encode());
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      mode: entry.mode ?? 0o644,
      size: entry.size ?? content.length,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      linkpath: entry.linkpath,
    });
    const block = Buffer.alloc(512);
    if (header.encode(block) && entry.paxPath === undefined) {
      chunks.push(new Pax({ path: entry.path, linkpath: entry.linkpath }).encode());
    }
    chunks.push(block, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  if (options.end !== false) chunks.push(Buffer.alloc(1024));
  return Buffer.concat(chunks);
}

export function gzipTar(tar: Uint8Array): Buffer {
  return gzipSync(tar);
}

export const validSkillMd = '---\nname: demo-skill\ndescription: A demo.\nmetadata:\n  version: "1.2.3"\n---\n\nDo the thing.\n';

/** A gzip tarball of `package/SKILL.md` plus the given entries. */
export function buildPackage(entries: readonly RawEntry[] = [], skillMd = validSkillMd): Buffer {
  return gzipTar(buildRawTar([{ path: 'package/SKILL.md', content: skillMd }, ...entries]));
}

const tempDirs: string[] = [];

/** A fresh temp folder, removed after the test file's tests finish. */
export async function makeTempDir(prefix = 'skillsync-store-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` (relative path → content) under `dir`, creating folders. */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, ...relative.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Every path under `dir`, relative, sorted: to prove nothing was written. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((entry) => entry.split(path.sep).join('/')).sort();
}
