// @ts-check
// Lint rules for every workspace: ESLint's recommended rules and typescript-eslint's, on TypeScript sources and
// tests. `npm run lint` runs this with knip (unused files, exports, dependencies) and dependency-cruiser (layer
// rules, .dependency-cruiser.cjs); `npm test` runs `npm run lint` first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.js', '**/*.cjs', '**/*.mjs', 'services/*/src/gen/**', 'packages/contracts/src/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': 'error',
      // Input safety code matches control characters on purpose (text-safety, request paths, feeds).
      'no-control-regex': 'off',
    },
  },
  {
    // Scripts and tests print to the terminal on purpose.
    files: ['scripts/**', '**/test/**', 'test/**', '**/bench/**'],
    rules: { 'no-console': 'off' },
  },
);
