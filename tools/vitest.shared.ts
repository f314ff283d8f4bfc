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
      ...extra,
    },
  });
}
