/**
 * Shared vitest settings: workspace packages resolve to their TypeScript sources through the
 * `@klevel/source` export condition, so tests never need a prior build.
 */
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

export function klevelVitestProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@klevel/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['@klevel/source', 'module', 'node', 'import', 'default'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // tfjs prints an "install tfjs-node" banner once per process; it is noise in test logs. (Setting tfjs'
      // IS_TEST flag instead would also switch on its kernel leak checks, which flag the wasm fused matmul.)
      onConsoleLog: (log) => !log.includes('Hi, looks like you are running TensorFlow.js in Node.js'),
      ...extra,
    },
  });
}
