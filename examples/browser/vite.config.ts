import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';

// The embedded Fashion-MNIST subset ships inside @klevel/zoo (data/fashion-mnist-subset); the app imports its
// four .gz files as assets through this alias, so Vite copies them into dist/assets with hashed names.
const require = createRequire(import.meta.url);
const zooData = join(dirname(require.resolve('@klevel/zoo/package.json')), 'data', 'fashion-mnist-subset');

export default defineConfig({
  // relative asset URLs: the built app works from any directory of a static server
  base: './',
  resolve: { alias: { 'zoo-data': zooData } },
  build: {
    target: 'es2022',
    // tfjs alone is over 1 MB minified; the warning limit is raised to the app's real size, not silenced
    chunkSizeWarningLimit: 2500,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
