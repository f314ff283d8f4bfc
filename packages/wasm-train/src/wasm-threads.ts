/**
 * Node only: multi-threaded XNNPACK on tfjs-backend-wasm (opt-in through `useBestBackend({ wasmThreads })`).
 *
 * tfjs 4.22 never picks its threaded binary in Node (tfjs #3830) and, if forced, cannot start its workers
 * there. Five things stand in the way (docs/wasm-threads.md); this module removes them for the length of one
 * `tf.setBackend('wasm')` and puts everything back afterwards:
 * 1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag is off in Node: set it (public API);
 * 2. the pthread worker exists only as the string `wasmWorkerContents` inside the bundle, handed to
 *    `new Worker()` as a `blob:` URL that Node's `worker_threads` rejects: extract it once, write it to a file,
 *    and make `URL.createObjectURL` return that file for the worker's blob during the init;
 * 3. the worker `importScripts` the main script from a `Blob`, which its Node shim cannot read, and that
 *    script refers to names of the bundle's scope (`require$$0`, ...): the written worker reads the blob
 *    asynchronously and evaluates it after the bundle's own `var require$$N = require(...)` lines;
 * 4. the thread count is capped at logical cores / 2: `os.cpus()` reports 2 x `threads` entries during the init;
 * 5. the idle pool workers keep the process alive: they are `unref`'d after the init.
 * Every text it relies on is checked first, and any mismatch throws naming what changed: never a silent
 * fallback to one thread.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-backend-wasm versions whose bundle text this module was verified against. */
export const SUPPORTED_TFJS_BACKEND_WASM = '4.22';

const WORKER_LITERAL = /var wasmWorkerContents = ("(?:[^"\\]|\\.)*");/;
const BLOB_BRANCH =
  'else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';
const ASYNC_BLOB_BRANCH =
  'else{e.data.urlOrBlob.text().then(function(s){(0,eval)(KLEVEL_PRELUDE+s);WasmBackendModuleThreadedSimd(Module)});return}WasmBackendModuleThreadedSimd(Module)';
const REQUIRE_DECL = /^var (require\$\$\d+) = require\('([^']+)'\);$/gm;

function fail(detail: string): never {
  throw new Error(
    `useBestBackend({ wasmThreads }): ${detail}. Multi-threaded wasm is verified for @tensorflow/tfjs-backend-wasm ` +
      `${SUPPORTED_TFJS_BACKEND_WASM}.x only; drop wasmThreads (or set it to 1) to use the single-threaded SIMD build.`,
  );
}

/** Validates `wasmThreads`: an integer from 1 to 64. */
export function checkWasmThreads(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64) {
    throw new RangeError(
      `useBestBackend: options.wasmThreads must be an integer from 1 to 64 (the XNNPACK threads of the wasm ` +
        `backend), got ${String(value)}. Use e.g. wasmThreads: ${os.cpus().length} (this machine's logical cores).`,
    );
  }
  return value;
}

/** The pthread worker script, rewritten to evaluate the main-script blob with the bundle's bindings. */
export function threadedWorkerScript(bundleText: string, bundlePath: string): string {
  const literal = WORKER_LITERAL.exec(bundleText);
  if (literal == null) fail('the wasm bundle has no `wasmWorkerContents` string (its layout changed)');
  const worker = JSON.parse(literal[1] as string) as string;
  if (!worker.includes(BLOB_BRANCH)) fail("the pthread worker's main-script loading changed");
  const declared = new Map<string, string>();
  for (const m of bundleText.matchAll(REQUIRE_DECL)) declared.set(m[1] as string, m[2] as string);
  const used = new Set(bundleText.match(/require\$\$\d+/g) ?? []);
  const missing = [...used].filter((name) => !declared.has(name));
  if (missing.length > 0) fail(`the bundle uses ${missing.join(', ')} without a top-level require`);
  const bindings = [...declared].map(([name, mod]) => `${name}=require(${JSON.stringify(mod)})`);
  const prelude =
    `var ${bindings.join(',')}${bindings.length ? ',' : ''}commonjsGlobal=globalThis,` +
    `__filename=${JSON.stringify(bundlePath)},__dirname=${JSON.stringify(dirname(bundlePath))};`;
  // Escape newlines as tfjs does before wrapping the script in a Blob.
  return `var KLEVEL_PRELUDE=${JSON.stringify(prelude)};${worker.replace(BLOB_BRANCH, ASYNC_BLOB_BRANCH)}`.replace(
    /\n/g,
    '\\n',
  );
}

function bundleLocation(): { path: string; version: string } {
  const req = createRequire(import.meta.url);
  const path = req.resolve('@tensorflow/tfjs-backend-wasm');
  const pkg = JSON.parse(readFileSync(join(dirname(path), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  if (!pkg.version.startsWith(`${SUPPORTED_TFJS_BACKEND_WASM}.`))
    fail(`@tensorflow/tfjs-backend-wasm ${pkg.version} is installed`);
  return { path, version: pkg.version };
}

/** Writes the worker script (once per content: concurrent processes share it) and returns its path. */
function writeWorker(): string {
  const { path, version } = bundleLocation();
  const script = threadedWorkerScript(readFileSync(path, 'utf8'), path);
  const dir = join(os.tmpdir(), `klevel-wasm-threads-${version}`);
  const file = join(dir, `worker-${createHash('sha256').update(script).digest('hex').slice(0, 16)}.js`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, script);
  renameSync(partial, file); // atomic: another process never reads a half-written worker
  return file;
}

/**
 * Prepares the next `tf.setBackend('wasm')` to start `threads` XNNPACK threads: sets the flag and the thread
 * count, and patches `URL.createObjectURL` and `os.cpus` until the returned `restore` is called (call it right
 * after the backend initialised). Throws if wasm is already initialised or the bundle is not the verified one.
 */
export function prepareWasmThreads(threads: number, setThreadsCount: (n: number) => void): () => void {
  if (tf.engine().registry.wasm != null) {
    fail(
      'the wasm backend is already initialised in this process, and its thread count is fixed then; call ' +
        'useBestBackend({ wasmThreads }) before anything else initialises wasm (tf.setBackend, tf.ready)',
    );
  }
  const workerFile = writeWorker();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (blob: Blob) =>
    blob instanceof Blob && blob.type === 'application/javascript' ? workerFile : createObjectURL(blob);
  const real = cpus();
  os.cpus = () =>
    Array.from({ length: 2 * Math.max(threads, real.length) }, (_, i) => real[i % real.length]!);
  return () => {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  };
}

interface PThreadPool {
  unusedWorkers: Array<{ unref(): void }>;
  runningWorkers: Array<{ unref(): void }>;
}

/** Lets the process exit with idle pool workers (the init's last step); throws if the pool is not there. */
export function unrefWasmWorkers(): void {
  const pool = (tf.engine().registry.wasm as unknown as { wasm?: { PThread?: PThreadPool } } | undefined)
    ?.wasm?.PThread;
  if (pool == null || !Array.isArray(pool.unusedWorkers) || !Array.isArray(pool.runningWorkers)) {
    fail('the threaded wasm module has no PThread worker pool (Emscripten internals changed)');
  }
  for (const w of [...pool.unusedWorkers, ...pool.runningWorkers]) w.unref();
}
