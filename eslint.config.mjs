// ESLint: the code's rules, and the folder boundaries the README's "Development" section states,
// checked rather than remembered. test/lint/boundaries.test.ts lints one small file per boundary,
// placed where it would break it, and expects each to be reported, so that a rule cannot stop
// working unnoticed. Imports are resolved to files (eslint-plugin-import-x's resolver), so a
// boundary holds whatever the relative path looks like, and require() is checked too.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** The folders that are only for developing the package: nothing that ships imports them. */
const DEVELOPMENT = ['./local', './test', './bench', './scripts', './examples'];

/** A bare import that is not a Node built-in: a package. */
const PACKAGE = `^(?!(node:)?(${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})(/|$))[^./]`;

const noCdk = (who) => ({
  paths: ['aws-cdk-lib', 'constructs'].map((name) => ({ name, message: `${who} never imports aws-cdk-lib or constructs` })),
  patterns: [{ group: ['aws-cdk-lib/*'], message: `${who} never imports aws-cdk-lib or constructs` }],
});

/** The folder rules, as import-x/no-restricted-paths zones (paths relative to the repository). */
const ZONES = [
  {
    target: './lib',
    from: ['./lambda', './cli', './bin', ...DEVELOPMENT],
    message: 'lib/ is the jsii surface: it never imports the handler (lambda/), the CLI (cli/), the entry points or the development folders.',
  },
  {
    target: './lib/shared',
    from: './lib',
    except: ['./shared'],
    message: 'lib/shared/ is what the construct, the handler and the CLI share: it imports only lib/shared/ and Node built-ins.',
  },
  {
    target: './lambda',
    from: './lib',
    except: ['./shared'],
    message: 'lambda/ shares only lib/shared/ (the wire contract, the content hash, the declared flows) with lib/.',
  },
  {
    target: './lambda',
    from: ['./cli', './bin', ...DEVELOPMENT],
    message: 'lambda/ is the handler bundle: it never imports the CLI, the entry points or the development folders.',
  },
  {
    target: './cli',
    from: './lib',
    except: ['./shared', './validator', './private/flow-manifest.ts', './private/messages.ts', './private/prop-rules.ts'],
    message: 'the CLI imports from lib/ only what has no CDK dependency: lib/shared/, the validator, and the manifest, message and prop-rule modules of lib/private/.',
  },
  {
    target: './cli',
    from: './lambda',
    except: ['./plan.ts', './props.ts'],
    message: 'the CLI imports from lambda/ only the lifecycle decision (plan.ts) and what it is made of (props.ts).',
  },
  {
    target: './cli',
    from: ['./test', './bench', './scripts', './examples'],
    message: 'the CLI ships: it never imports the tests, the benchmark or the scripts.',
  },
  {
    target: './local',
    from: './lib',
    except: ['./shared'],
    message: 'the local stand-ins for AWS know the package by its wire contract only (lib/shared/).',
  },
  {
    target: './local',
    from: './cli',
    except: ['./io.ts'],
    message: 'the local stand-ins take from the CLI only the Io interface (cli/io.ts): the CLI uses them, not the other way round.',
  },
  {
    target: './local',
    from: ['./lambda', './test', './bench', './scripts'],
    message: 'the local stand-ins run the handler bundle as Lambda does: they never import the handler, the tests, the benchmark or the scripts.',
  },
  {
    target: ['./lib', './lambda', './cli', './bin', './local', './test', './scripts', './examples'],
    from: './bench',
    message: 'nothing imports the benchmark (bench/).',
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'lambda/dist/', 'cdk.out/', '.local/', 'coverage/', 'test/lint/fixtures/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node's globals: the code runs on Node only.
        ...Object.fromEntries(['process', 'Buffer', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'fetch', 'structuredClone', 'performance', 'queueMicrotask', '__dirname', '__filename', 'require', 'module', 'exports', 'global', 'globalThis'].map((g) => [g, 'readonly'])),
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: ZONES }],
      // Unused names are compile errors already (noUnusedLocals, noUnusedParameters in tsconfig.json).
      '@typescript-eslint/no-unused-vars': 'off',
      // `any` is the type of JSON read at run time (templates, events, manifests, IPC messages),
      // checked where it is used, and jsii's type for a JSON value in the public API
      // (FlowJson.fromObject); strict type-checking covers the rest.
      '@typescript-eslint/no-explicit-any': 'off',
      // A variable a closure reads before the one assignment that sets it (a timer armed later).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['cli/**', 'bin/whatsapp-flow.ts'],
    rules: { 'no-restricted-imports': ['error', noCdk('the CLI (bundled without aws-cdk-lib)')] },
  },
  {
    files: ['lambda/**'],
    rules: { 'no-restricted-imports': ['error', noCdk('the handler bundle')] },
  },
  {
    files: ['lib/validator/**', 'lib/private/flow-manifest.ts', 'lib/private/messages.ts', 'lib/private/prop-rules.ts'],
    rules: { 'no-restricted-imports': ['error', noCdk('what the CLI takes from lib/ (the validator, the manifest, messages and prop rules)')] },
  },
  {
    files: ['lib/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: PACKAGE, message: 'lib/shared/ imports only Node built-ins (and lib/shared/)' }] }],
    },
  },
  {
    // Plain CommonJS files: jest's configuration, reporters, the test function.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
