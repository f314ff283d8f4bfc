/**
 * The one tsup configuration every klevel package builds with (ESM + CJS + .d.ts).
 * A package's `tsup.config.ts` only names its entry points; every other option lives here,
 * so a later move to another bundler touches this file alone.
 */
import { defineConfig, type Options } from 'tsup';

export interface KlevelBuildOptions {
  /** Entry points relative to the package root. Defaults to `['src/index.ts']`. */
  entry?: string[];
  /** Extra options merged last (e.g. a `banner` for a CLI entry). */
  overrides?: Partial<Options>;
}

export function klevelTsupConfig(options: KlevelBuildOptions = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
    // Shared code of several entries (e.g. index and node) goes to chunks, so a class or registry exists once.
    splitting: true,
    treeshake: true,
    // The package's own tsconfig.build.json: only its src (no tests), so a .d.ts build never reads files of
    // sibling packages that nx may be rebuilding at the same time.
    tsconfig: 'tsconfig.build.json',
    // peerDependencies and dependencies are external by default in tsup; node built-ins too.
    external: [/^@tensorflow\//, /^node:/],
    ...options.overrides,
  });
}
