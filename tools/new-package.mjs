#!/usr/bin/env node
// Creates packages/<name> from the template conventions: node tools/new-package.mjs <name> "<description>" [--private]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, description = '', flag] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node tools/new-package.mjs <kebab-name> "<description>" [--private]');
  process.exit(2);
}
const dir = join('packages', name);
if (existsSync(dir)) {
  console.error(`packages/${name} already exists`);
  process.exit(2);
}
const isPrivate = flag === '--private';
mkdirSync(join(dir, 'src'), { recursive: true });
const pkg = {
  name: `@klevel/${name}`,
  version: '0.0.0',
  description,
  license: 'Apache-2.0',
  ...(isPrivate ? { private: true } : {}),
  type: 'module',
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      '@klevel/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/__fixtures__'],
  sideEffects: false,
  engines: { node: '>=20' },
  repository: { type: 'git', directory: `packages/${name}` },
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    typecheck: 'tsc -p tsconfig.json',
    lint: 'biome lint src',
  },
  peerDependencies: { '@tensorflow/tfjs-core': '>=4.22.0 <5', '@tensorflow/tfjs-layers': '>=4.22.0 <5' },
  devDependencies: {
    '@tensorflow/tfjs-backend-cpu': '4.22.0',
    '@tensorflow/tfjs-backend-wasm': '4.22.0',
    '@tensorflow/tfjs-core': '4.22.0',
    '@tensorflow/tfjs-layers': '4.22.0',
  },
  publishConfig: { access: 'public' },
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] }, null, 2)}\n`,
);
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  `${JSON.stringify(
    { extends: '../../tsconfig.build.json', include: ['src'], exclude: ['src/**/*.test.ts', 'src/**/__fixtures__'] },
    null,
    2,
  )}\n`,
);
writeFileSync(
  join(dir, 'tsup.config.ts'),
  "import { klevelTsupConfig } from '../../tools/tsup.config.base';\n\nexport default klevelTsupConfig();\n",
);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import { klevelVitestProject } from '../../tools/vitest.shared';\n\nexport default klevelVitestProject('${name}');\n`,
);
writeFileSync(join(dir, 'README.md'), `# @klevel/${name}\n\n${description}\n`);
writeFileSync(join(dir, 'src', 'index.ts'), '// Public API: list every export by name.\nexport {};\n');
console.log(`created packages/${name}`);
