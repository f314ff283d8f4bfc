/**
 * Lazy access to Node built-ins, so the library can be bundled for a browser (webgl/webgpu benchmarks of
 * in-memory models) without pulling `node:fs` or `node:os` in at load time. Only the features that need them
 * (model paths, saving, machine details) import them, when called.
 */

/** True when running in Node (or a Node-compatible runtime). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The Node modules the file features use. */
export interface NodeFs {
  fs: typeof import('node:fs');
  fsp: typeof import('node:fs/promises');
  path: typeof import('node:path');
}

/** `node:fs`, `node:fs/promises` and `node:path`, or an Error naming `feature` outside Node. */
export async function nodeFs(feature: string): Promise<NodeFs> {
  if (!isNode()) {
    throw new Error(
      `${feature} needs Node's file system; in a browser load the model yourself (tfl.loadLayersModel(url)) and ` +
        'pass { name, model }',
    );
  }
  const [fs, fsp, path] = await Promise.all([
    import('node:fs'),
    import('node:fs/promises'),
    import('node:path'),
  ]);
  return { fs, fsp, path };
}

/** Machine details for a report: Node's `os` module in Node, the user agent elsewhere. */
export async function machineInfo(): Promise<{
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  load1: () => number;
}> {
  if (isNode()) {
    const os = await import('node:os');
    const cpus = os.cpus();
    return {
      node: process.version,
      platform: os.platform(),
      arch: os.arch(),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      load1: () => os.loadavg()[0] ?? 0,
    };
  }
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return {
    node: 'n/a',
    platform: nav?.userAgent ?? 'unknown',
    arch: 'unknown',
    cpus: nav?.hardwareConcurrency ?? 0,
    cpuModel: 'unknown',
    load1: () => 0,
  };
}
