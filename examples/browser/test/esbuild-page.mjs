/**
 * The plain-esbuild bundling test, in the browser: bundles an app importing every public package's default
 * entry with `esbuild --bundle --platform=browser` and no plugins or externals (the bundle check of
 * tools/bundle-check, reused), then loads the bundle in a page and checks that every package's module
 * evaluated there (each logs its name) with no page error.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { bundleBrowserApp } from '../../../tools/bundle-check/browser-bundle.mjs';

/** Serves `dir` on 127.0.0.1 (index.html and app.js only). */
function serve(dir) {
  const types = { '/': 'text/html', '/app.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const type = types[req.url ?? ''];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type });
    createReadStream(join(dir, req.url === '/' ? 'index.html' : 'app.js')).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} outdir
 * @returns {Promise<{ names: string[], loaded: string[], errors: string[], kb: number }>}
 */
export async function esbuildBundleInPage(context, outdir) {
  mkdirSync(outdir, { recursive: true });
  const { bytes, names } = await bundleBrowserApp({ outdir });
  // (an empty icon: no /favicon.ico request, whose 404 would count as a page error)
  writeFileSync(
    join(outdir, 'index.html'),
    '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>\n',
  );
  const server = await serve(outdir);
  const page = await context.newPage();
  const loaded = [];
  const errors = [];
  page.on('console', (m) => {
    const name = m.text().split(' ')[0];
    if (names.includes(name)) loaded.push(name);
    else if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    while (loaded.length < names.length && errors.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await page.close();
    await new Promise((r) => server.close(r));
  }
  return { names, loaded, errors, kb: bytes / 1024 };
}
