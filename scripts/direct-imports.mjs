// An esbuild plugin that turns `import { a, b } from '@skillsync/core'` into imports of
// the files that define `a` and `b`. esbuild assigns a module to every chunk whose entry
// can reach it through any import, used or not (evanw/esbuild#2922, #1341): through a
// package's index, `skillsync status` reached every module of core, store and clients —
// zod, the manifest parser, the package packer — that some other command uses, and
// loaded twice the code it runs. Importing the defining files keeps each command's chunk
// graph to what it uses. The rest of the build is unchanged; `tsc` and the lint rules
// still see the package imports as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** `export { a, b as c, type T } from './x.js'`, `export * from './y.js'`, and local `export const|function|class` declarations. */
const REEXPORT = /export\s*(type\s*)?\{([^}]*)\}\s*from\s*'(\.[^']+)'/g;
const EXPORT_STAR = /export\s*\*\s*from\s*'(\.[^']+)'/g;
const DECLARATION = /^export\s+(?:async\s+)?(?:const|let|function\*?|class)\s+([A-Za-z_$][\w$]*)/gm;
/** `import { … } from '@skillsync/pkg'` (one statement, possibly over several lines); `import type` statements are left alone. */
const PACKAGE_IMPORT = /import\s*\{([^}]*)\}\s*from\s*'@skillsync\/([a-z-]+)';?/g;

/**
 * @param {string} packagesDir the folder holding the workspace packages (`<root>/packages`)
 * @returns {import('esbuild').Plugin}
 */
export function directImports(packagesDir) {
  const exportsOf = (pkg) => exportsOfFile(path.join(packagesDir, pkg, 'src', 'index.ts'));

  return {
    name: 'direct-imports',
    setup(build) {
      build.onLoad({ filter: /\.tsx?$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes("from '@skillsync/")) return undefined;
        const contents = source.replace(PACKAGE_IMPORT, (statement, specifiers, pkg) => {
          const map = exportsOf(pkg);
          const byFile = new Map();
          for (const raw of specifiers.split(',')) {
            const specifier = raw.trim();
            if (specifier === '' || specifier.startsWith('type ')) continue;
            const [imported, local = imported] = specifier.split(/\s+as\s+/);
            const origin = map.get(imported);
            if (origin === undefined) throw new Error(`${args.path}: @skillsync/${pkg} exports no '${imported}' that scripts/direct-imports.mjs can find`);
            const list = byFile.get(origin.file) ?? [];
            list.push(origin.name === local ? local : `${origin.name} as ${local}`);
            byFile.set(origin.file, list);
          }
          return [...byFile].map(([file, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(file)};`).join(' ');
        });
        return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** @type {Map<string, Map<string, { file: string, name: string }>>} */
const fileExports = new Map();

/** Every value a module exports, through its re-exports, mapped to the file and name that define it. */
function exportsOfFile(file) {
  let map = fileExports.get(file);
  if (map !== undefined) return map;
  map = new Map();
  // Set before filling: a cycle of re-exports ends here instead of recursing for ever.
  fileExports.set(file, map);
  const source = readFileSync(file, 'utf8');
  const target = (specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
  for (const [, typeOnly, specifiers, from] of source.matchAll(REEXPORT)) {
    if (typeOnly !== undefined) continue;
    const definingFile = target(from);
    for (const raw of specifiers.split(',')) {
      const specifier = raw.trim();
      if (specifier === '' || specifier.startsWith('type ')) continue;
      const [name, exported = name] = specifier.split(/\s+as\s+/);
      // A name re-exported from another index is followed to the file that defines it.
      map.set(exported, exportsOfFile(definingFile).get(name) ?? { file: definingFile, name });
    }
  }
  for (const [, from] of source.matchAll(EXPORT_STAR)) for (const [name, origin] of exportsOfFile(target(from))) map.set(name, origin);
  for (const [, name] of source.matchAll(DECLARATION)) map.set(name, { file, name });
  return map;
}
