import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
  /** Vite names its files after their content: they never change under one name. */
  readonly immutable: boolean;
}

/** The built page by URL path (`/index.html`, `/assets/index-3f2a.js`); empty when the page was not built. */
export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * scripts/build.mjs builds the page into `dashboard/` at the top of the bundle's dist/;
 * this module runs from dist/ itself or from one of its chunks/, so both are looked at.
 */
export function bundledDashboardDirs(): readonly string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, 'dashboard'), path.join(here, '..', 'dashboard')];
}

/**
 * Reads the whole built page into memory (a few hundred kilobytes): the server then
 * serves only the files that were there at start, so no request path ever reaches the
 * file system. The first folder that holds an index.html wins.
 */
export async function loadDashboardAssets(dirs: readonly string[]): Promise<DashboardAssets> {
  for (const dir of dirs) {
    const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => undefined);
    if (files === undefined || !files.some((entry) => entry.isFile() && entry.name === 'index.html' && entry.parentPath === dir)) continue;
    const assets = new Map<string, DashboardAsset>();
    for (const entry of files) {
      // Dot files (the build's stamp) are not part of the page.
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const urlPath = `/${path.relative(dir, file).split(path.sep).join('/')}`;
      const body = new Uint8Array(await readFile(file));
      assets.set(urlPath, { body, contentType: contentTypes[path.extname(entry.name)] ?? 'application/octet-stream', immutable: urlPath.startsWith('/assets/') });
    }
    return assets;
  }
  return new Map();
}
