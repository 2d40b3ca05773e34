// Builds the benchmark's inputs with the real library code (bundled by run.mjs).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scaffoldSkill } from '@skillsync/core';
import { packSkill, publishToDirectoryRegistry, type PackedSkill } from '@skillsync/store';

/** Writes `count` valid skills (SKILL.md, sidecar, evals, a reference file) under `dir`. */
export async function generateSkills(dir: string, count: number): Promise<string[]> {
  const folders: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `bench-skill-${String(index).padStart(4, '0')}`;
    const folder = path.join(dir, name);
    const files = {
      ...scaffoldSkill({ name, description: `Benchmark skill number ${index}: use it when measuring skillsync.`, version: '1.0.0' }),
      'references/guide.md': `# Guide ${index}\n\n${'Detailed reference text. '.repeat(200)}\n`,
    };
    for (const [relative, content] of Object.entries(files)) {
      const target = path.join(folder, relative);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    folders.push(folder);
  }
  return folders;
}

export async function packAll(folders: readonly string[]): Promise<PackedSkill[]> {
  const packed: PackedSkill[] = [];
  for (const folder of folders) packed.push(await packSkill(folder));
  return packed;
}

export async function publishAll(registry: string, packed: readonly PackedSkill[]): Promise<void> {
  for (const skill of packed) await publishToDirectoryRegistry(registry, skill);
}
