// Builds the publishable `skillsync` package in apps/cli: the bundle (dist/, with the
// dashboard page in dist/dashboard/), the JSON
// Schemas (schemas/, also the repository's schemas/), and LICENSE. Runs on every
// `npm install` (prepare) and before the tests, so it has to stay well under a second.
//   node scripts/build.mjs                 everything
//   node scripts/build.mjs --schemas-only  only the JSON Schemas
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import * as esbuild from 'esbuild';
import { directImports } from './direct-imports.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'apps', 'cli');
const dist = path.join(cli, 'dist');
const schemasOnly = process.argv.includes('--schemas-only');
const started = performance.now();

const pkg = JSON.parse(await readFile(path.join(cli, 'package.json'), 'utf8'));

/** Shared by both builds: Node 20 ESM with every npm dependency inlined. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ESM builds first: jsonc-parser's UMD main loads its parts through a dynamic require
  // that a bundle cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  legalComments: 'none',
  // CommonJS dependencies call require() for builtins, and cedar-wasm reads its .wasm from
  // `${__dirname}`; ESM output has neither of its own. Each output file gets its own folder
  // (dist/ or dist/chunks/), which is where copyWasmAssets puts the .wasm.
  banner: {
    js: [
      "import { createRequire as __skillsyncCreateRequire } from 'node:module';",
      "import { dirname as __skillsyncDirname } from 'node:path';",
      "import { fileURLToPath as __skillsyncFileURLToPath } from 'node:url';",
      'const require = __skillsyncCreateRequire(import.meta.url);',
      'const __dirname = __skillsyncDirname(__skillsyncFileURLToPath(import.meta.url));',
    ].join(' '),
  },
};

/**
 * Our workspace packages do nothing on import but define things; telling esbuild so
 * lets it drop the modules a chunk does not use. Without it, the start-up chunk that
 * `--help` and usage errors load would carry every schema and parser (and zod) too.
 */
const workspaceSideEffectFree = {
  name: 'workspace-side-effect-free',
  setup(build) {
    const packages = path.join(root, 'packages') + path.sep;
    // Resolved by hand (TypeScript's `.js` specifiers name `.ts` files): asking esbuild to
    // resolve every import again from a plugin would double the build time.
    build.onResolve({ filter: /^(?:@skillsync\/[a-z-]+$|\.\.?\/)/ }, (args) => {
      let file;
      if (args.path.startsWith('@skillsync/')) {
        file = path.join(packages, args.path.slice('@skillsync/'.length), 'src', 'index.ts');
      } else if (args.importer.startsWith(packages)) {
        file = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      }
      if (file === undefined || !existsSync(file)) return undefined;
      return { path: file, sideEffects: false };
    });
  },
};

async function buildInto(fresh) {
  const dashboard = buildDashboard(path.join(fresh, 'dashboard'));
  const bundle = esbuild.build({
    ...common,
    absWorkingDir: root,
    metafile: true,
    entryPoints: { main: 'apps/cli/src/main.ts' },
    outdir: fresh,
    // Each command becomes its own chunk, loaded only when that command runs.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { SKILLSYNC_VERSION: JSON.stringify(pkg.version) },
    // Native, optional (apps/cli optionalDependencies) and loaded only when the keychain is
    // used: it stays a runtime import that may fail, and then the file secret store is used.
    // better-sqlite3 likewise, for the state database on Node without node:sqlite (< 22.5);
    // node:sqlite is a builtin, which esbuild always leaves to run time. Kysely is bundled.
    // systray2 too: the tray runs the Go binary inside its package folder (traybin/).
    external: ['@napi-rs/keyring', 'better-sqlite3', 'systray2'],
    plugins: [workspaceSideEffectFree, directImports(path.join(root, 'packages'))],
    minifySyntax: true,
    sourcemap: false,
  });
  // Both settle before either failure is thrown, so nothing writes into `fresh` after the caller removes it.
  const [built, page] = await Promise.allSettled([bundle, dashboard]);
  if (built.status === 'rejected') throw built.reason;
  if (page.status === 'rejected') throw page.reason;
  await copyWasmAssets(built.value.metafile);
}

async function buildCli() {
  // Built beside dist/ and swapped in, so a CLI (or a test run) using dist/ meanwhile never finds it half-written or gone.
  const fresh = `${dist}.${process.pid}.tmp`;
  await rm(fresh, { recursive: true, force: true });
  try {
    await buildInto(fresh);
  } catch (error) {
    // A failed build (a compile error) leaves nothing beside dist/.
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
  const stale = `${dist}.${process.pid}.old`;
  // Another build may swap its own in between our two renames: then move that one aside too.
  for (let attempt = 0; ; attempt += 1) {
    await rm(stale, { recursive: true, force: true });
    await rename(dist, stale).catch((error) => {
      if (error.code !== 'ENOENT') throw error;
    });
    try {
      await rename(fresh, dist);
      break;
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || attempt >= 10) throw error;
    }
  }
  await rm(stale, { recursive: true, force: true });
}

const app = path.join(root, 'apps', 'app');
/** Beside the built page: the hash of the inputs it was built from. */
const dashboardStamp = '.inputs-sha256';

/**
 * The dashboard (apps/app, React) built by Vite into dist/dashboard/, where the daemon's
 * server finds it. Vite takes seconds, so it runs only when the page's inputs changed:
 * otherwise the current build is carried over into the fresh dist/ (a few files).
 */
async function buildDashboard(outDir) {
  const inputs = await dashboardInputsHash();
  const current = path.join(dist, 'dashboard');
  if ((await readFile(path.join(current, dashboardStamp), 'utf8').catch(() => undefined)) === inputs) {
    // A build swapping dist/ meanwhile may take the folder away: then build it after all.
    const copied = await cp(current, outDir, { recursive: true }).then(() => true, () => false);
    if (copied) return;
  }
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({ ...dashboardConfig, root: app, configFile: false, plugins: [react()], build: { ...dashboardConfig.build, outDir, emptyOutDir: true } });
  await writeFile(path.join(outDir, dashboardStamp), inputs);
}

/** Vite's settings, part of the inputs hash. No inline script: the page's CSP allows only its own files. */
const dashboardConfig = {
  logLevel: 'warn',
  base: '/',
  build: { target: 'es2022', modulePreload: { polyfill: false }, reportCompressedSize: false, chunkSizeWarningLimit: 1024 },
};

/** The app's files (sources, index.html, package.json), the settings, and the versions of the tools that build it. */
async function dashboardInputsHash() {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(dashboardConfig));
  for (const tool of ['vite', '@vitejs/plugin-react', 'react', 'react-dom']) {
    hash.update(`${tool}@${JSON.parse(await readFile(path.join(root, 'node_modules', tool, 'package.json'), 'utf8')).version}\n`);
  }
  const entries = await readdir(app, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && !path.relative(app, entry.parentPath).split(path.sep).includes('node_modules'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const file of [...files, ...(await importedFromOutside(files))]) hash.update(`${path.relative(app, file)}\0`).update(await readFile(file)).update('\0');
  return hash.digest('hex');
}

/** The sources outside the app that its files import by relative path (the daemon's API types, core's event parser), and what those import. */
async function importedFromOutside(appFiles) {
  const found = new Set();
  const visit = async (file) => {
    if (!/\.tsx?$/.test(file)) return;
    for (const match of (await readFile(file, 'utf8')).matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), match[1].replace(/\.js$/, '.ts'));
      if (path.relative(app, target).startsWith('..') && !found.has(target) && existsSync(target)) {
        found.add(target);
        await visit(target);
      }
    }
  };
  for (const file of appFiles) await visit(file);
  return [...found].sort();
}

/**
 * cedar-wasm's Node build (`@cedar-policy/cedar-wasm/nodejs`, bundled into the `policy`
 * commands' chunk) loads `cedar_wasm_bg.wasm` from its own folder with readFileSync: copy
 * the .wasm next to every output file that holds it, so the package needs no runtime
 * dependency (test/cli/npm-package.test.ts installs it offline).
 */
async function copyWasmAssets(metafile) {
  for (const [output, info] of Object.entries(metafile.outputs)) {
    for (const input of Object.keys(info.inputs)) {
      if (!/[\\/]cedar-wasm[\\/]nodejs[\\/]cedar_wasm\.js$/.test(input)) continue;
      const wasm = path.join(root, path.dirname(input), 'cedar_wasm_bg.wasm');
      await cp(wasm, path.join(root, path.dirname(output), 'cedar_wasm_bg.wasm'));
    }
  }
}

const schemaFiles = {
  'manifest.schema.json': 'manifestJsonSchema',
  'skill-sidecar.schema.json': 'skillSidecarJsonSchema',
};

/**
 * The schemas are produced by @skillsync/core from the same definitions the parsers
 * use, so they cannot drift. The build writes the package's copy; the repository's
 * committed copy (schemas/) is rewritten only by `--schemas-only` (`npm run schemas`),
 * so test/schemas.test.ts can catch a schema change that was not regenerated.
 */
async function buildSchemas() {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'skillsync-schemas-'));
  try {
    const outfile = path.join(temp, 'schemas.mjs');
    await esbuild.build({
      ...common,
      absWorkingDir: root,
      stdin: {
        contents: `import * as core from '@skillsync/core';
          export const schemas = Object.fromEntries(${JSON.stringify(Object.entries(schemaFiles))}
            .map(([file, fn]) => [file, core[fn]()]));`,
        resolveDir: root,
        loader: 'js',
      },
      outfile,
      logLevel: 'error',
    });
    const { schemas } = await import(pathToFileURL(outfile).href);
    for (const dir of schemasOnly ? [path.join(cli, 'schemas'), path.join(root, 'schemas')] : [path.join(cli, 'schemas')]) {
      await mkdir(dir, { recursive: true });
      for (const [file, schema] of Object.entries(schemas)) {
        await writeFile(path.join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
      }
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function copyPackageFiles() {
  const license = path.join(root, 'LICENSE');
  if (existsSync(license)) await cp(license, path.join(cli, 'LICENSE'));
}

// allSettled: a failing step must not exit while another still has temp files to remove.
const [cliResult, schemaResult, filesResult] = await Promise.allSettled([
  schemasOnly ? undefined : buildCli(),
  buildSchemas(),
  schemasOnly ? undefined : copyPackageFiles(),
]);
const failures = [cliResult, schemaResult, filesResult].filter((result) => result.status === 'rejected');
if (failures.length > 0 || schemaResult.status !== 'fulfilled') {
  for (const { reason } of failures) {
    // esbuild has already printed its diagnostics with file and line; a stack adds nothing.
    if (!Array.isArray(reason?.errors)) process.stderr.write(`${reason?.stack ?? reason}\n`);
  }
  process.stderr.write('build failed\n');
  process.exit(1);
}
const took = Math.round(performance.now() - started);
// `npm run build --silent` (as `npm start` does) means no chatter, only failures.
if (!process.argv.includes('--silent') && process.env.npm_config_loglevel !== 'silent') {
  process.stderr.write(`built skillsync ${pkg.version}${schemasOnly ? ' schemas' : ''} in ${took} ms\n`);
}
