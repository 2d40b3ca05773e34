// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of ARCHITECTURE.md, bottom up. A package may import only the
 * packages listed for it; apps are never imported. Enforced here, not in review.
 */
const layers = {
  core: [],
  clients: ['core'],
  store: ['core'],
  secrets: ['core'],
  policy: ['core', 'state'],
  state: ['core'],
  sync: ['core', 'clients', 'store'],
  runtime: ['core', 'store', 'secrets', 'policy', 'state'],
  registry: ['core', 'store', 'secrets'],
  server: ['core', 'store', 'policy', 'state', 'registry'],
  cli: ['core', 'clients', 'store', 'secrets', 'policy', 'state', 'sync', 'runtime', 'registry', 'server'],
};
const all = Object.keys(layers);

/** @param {string} name @param {string[]} allowed */
function layerRule(name, allowed) {
  const forbidden = all.filter((other) => other !== name && !allowed.includes(other));
  return {
    files: [name === 'cli' || name === 'server' ? `apps/${name}/**/*.ts` : `packages/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(forbidden.length > 0
              ? [{ group: forbidden.map((f) => `@skillsync/${f}`), message: `${name} may import only: ${allowed.join(', ') || 'nothing of ours'} (ARCHITECTURE.md layers).` }]
              : []),
            { group: ['skillsync', 'skillsync/*', '**/apps/**'], message: 'Nothing imports an app.' },
            { group: ['**/packages/*/src/**', '../../*/src/**'], message: 'Import another package by its name, through its src/index.ts.' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'bench/.out/**', '**/.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object or a union of literals instead of an enum.' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces: use modules.' },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    files: ['packages/**/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'cwd', message: 'Take an Env: only apps/ read the real process.' },
        { object: 'process', property: 'env', message: 'Take an Env: only apps/ read the real process.' },
        { object: 'os', property: 'homedir', message: 'Take an Env: only apps/ read the real process.' },
      ],
    },
  },
  ...Object.entries(layers).map(([name, allowed]) => layerRule(name, allowed)),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    // Tools read their configuration from a default export.
    files: ['eslint.config.js', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
