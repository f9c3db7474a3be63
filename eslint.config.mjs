import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', '.tools/', 'data/', 'dist/', 'coverage/', 'test/histories/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...builtinModules.flatMap((m) => [m, `node:${m}`]),
            '@prisma/client',
            'pino',
            'zod',
            'express',
            '@temporalio/client',
            '@temporalio/worker',
            '@temporalio/activity',
          ].map((name) => ({ name, message: 'Workflow code must stay deterministic and bundle-safe.' })),
          patterns: [
            {
              group: ['**/generated/**', '**/prisma/**', '**/records/**', '**/services/**', '**/api/**', '**/system/**', '**/temporal/**'],
              message: 'Workflow code must not import I/O modules.',
            },
            { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
          ],
        },
      ],
    },
  },
  {
    // The console's one script runs in the browser.
    files: ['console/assets/**/*.js'],
    languageOptions: { globals: { document: 'readonly', Intl: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
  },
);
