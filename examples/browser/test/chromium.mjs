/**
 * Starts Debian's Chromium (/usr/bin/chromium) headless through playwright-core, with a fresh profile and the
 * flags that work as root on these machines; WebGL and WebGPU run on SwiftShader (software). No browser is
 * downloaded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL on SwiftShader (software)
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** WebGPU on SwiftShader's Vulkan (software); without these navigator.gpu has no adapter on a GPU-less machine. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/**
 * Launches Chromium with a throw-away profile.
 * @param {{ downloads?: string, webgpu?: boolean }} options
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, close: () => Promise<void> }>}
 */
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'klevel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: options.webgpu ? [...FLAGS, ...WEBGPU_FLAGS] : FLAGS,
    acceptDownloads: true,
    ...(options.downloads ? { downloadsPath: options.downloads } : {}),
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
