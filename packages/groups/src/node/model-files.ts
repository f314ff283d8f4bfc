/**
 * Saving and loading models on Node file systems without tfjs-node (Node only: `@klevel/groups/node`, shared
 * by `@klevel/pruner/node` and `@klevel/latency/node`): the standard `model.json` + `weights.bin` layout
 * (readable by stock `tfl.loadLayersModel` through any IO handler that serves those files), written
 * atomically: everything goes to a temporary directory beside the target, is fsync'ed, and only then
 * replaces the target with renames. An interrupted save leaves the previous files intact.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkWeightBytes } from './weight-bytes';

type Fsp = typeof fsp;

/** Writes one file completely (used for every file of a save; injectable for tests and custom storage). */
export type FileWriter = (path: string, data: Uint8Array) => Promise<void>;

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** Also save the optimizer state. Defaults to false. */
  includeOptimizer?: boolean;
  /** How a file is written and flushed. Defaults to open + write + fsync + close. */
  writeFile?: FileWriter;
}

/** Result of {@link saveModel}. */
export interface SaveModelResult {
  /** Absolute path of the directory that now holds model.json and weights.bin. */
  dir: string;
  /** Bytes of model.json. */
  modelJsonBytes: number;
  /** Bytes of weights.bin. */
  weightBytes: number;
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

const durableWrite: FileWriter = async (file, data) => {
  const fh = await fsp.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
};

async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<Fsp['open']>> | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Directory fsync is not supported on every platform (e.g. Windows); the renames are still atomic.
  } finally {
    await fh?.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * A tfjs `IOHandler` whose `save` writes `model.json` and `weights.bin` into `dir` (no atomicity of its
 * own; {@link saveModel} wraps it in a temporary directory).
 *
 * @param dir Target directory (created if missing).
 * @param writeFile How to write one file. Defaults to a durable (fsync'ed) write.
 * @example
 * await model.save(fileSaveHandler('out/plain'));
 */
export function fileSaveHandler(dir: string, writeFile: FileWriter = durableWrite): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (a) => {
    const join = path.join;
    await fsp.mkdir(dir, { recursive: true });
    const weightData =
      a.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
    const json = {
      modelTopology: a.modelTopology,
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      ...(a.trainingConfig != null ? { trainingConfig: a.trainingConfig } : {}),
      ...(a.userDefinedMetadata != null ? { userDefinedMetadata: a.userDefinedMetadata } : {}),
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: a.weightSpecs ?? [] }],
    };
    const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
    await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
    await writeFile(join(dir, MODEL_JSON), jsonBytes);
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  });
}

/**
 * A tfjs `IOHandler` whose `load` reads a `model.json` and the weight files its manifest lists. Use it with
 * stock `tfl.loadLayersModel(fileLoadHandler(location))`.
 *
 * @param location A directory holding `model.json`, or the path of a model JSON file (any name ending in `.json`).
 * @throws Error naming the file when it is unreadable, not JSON, not a tfjs model.json, a listed weight
 *   file is missing, or the weight files hold fewer or more bytes than the manifest lists (naming the weight
 *   and both sizes).
 * @example
 * const model = await tfl.loadLayersModel(fileLoadHandler('out/pruned'));
 */
export function fileLoadHandler(location: string): tf.io.IOHandler {
  return {
    load: async () => {
      const jsonPath = /\.json$/i.test(location) ? location : path.join(location, MODEL_JSON);
      let text: string;
      try {
        text = await fsp.readFile(jsonPath, 'utf8');
      } catch (e) {
        throw new Error(
          `loadModel: cannot read '${jsonPath}' (${(e as Error).message}). Was the model saved there?`,
        );
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (e) {
        throw new Error(`loadModel: ${jsonPath} is not readable JSON (${(e as Error).message})`);
      }
      if (json === null || typeof json !== 'object' || json.modelTopology == null) {
        throw new Error(`loadModel: ${jsonPath} has no modelTopology; it is not a tfjs model.json`);
      }
      const dir = path.dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          const files: string[] = [];
          const sizes: number[] = [];
          for (const weightsPath of group.paths) {
            const file = path.join(dir, weightsPath);
            let b: Uint8Array;
            try {
              b = await fsp.readFile(file);
            } catch (e) {
              throw new Error(
                `loadModel: weight file ${file} listed in ${jsonPath} is not readable (${(e as Error).message})`,
              );
            }
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
            files.push(file);
            sizes.push(b.byteLength);
          }
          checkWeightBytes(group, files, sizes, jsonPath);
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Saves `model` to `dir` as model.json + weights.bin, atomically: the files are written and fsync'ed in
 * a temporary directory beside `dir`, then `dir` is replaced by renames. If the save fails or is
 * interrupted, the previous contents of `dir` stay intact (a crash between the two renames leaves them in
 * `<dir>.klevel-old-*`).
 *
 * @param model The model to save.
 * @param dir Target directory.
 * @param options `includeOptimizer` (default false) and an injectable `writeFile`.
 * @example
 * await saveModel(small, 'out/pruned');
 * const again = await loadModel('out/pruned');
 */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<SaveModelResult> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TypeError(`saveModel: 'dir' must be a non-empty path string, got ${String(dir)}.`);
  }
  const { basename, dirname, join } = path;
  const target = path.resolve(dir);
  const parent = dirname(target);
  await fsp.mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(target)}.klevel-tmp-${tag}`);
  const old = join(parent, `.${basename(target)}.klevel-old-${tag}`);
  try {
    await model.save(fileSaveHandler(tmp, options.writeFile ?? durableWrite), {
      includeOptimizer: options.includeOptimizer ?? false,
    });
    await syncDir(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new Error(
      `saveModel: writing '${target}' failed, previous files left intact: ${(e as Error).message}`,
    );
  }
  const hadOld = await exists(target);
  if (hadOld) await fsp.rename(target, old);
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    if (hadOld) await fsp.rename(old, target);
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new Error(`saveModel: moving the new files into '${target}' failed: ${(e as Error).message}`);
  }
  await syncDir(parent);
  if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  const [j, w] = await Promise.all([fsp.stat(join(target, MODEL_JSON)), fsp.stat(join(target, WEIGHTS_BIN))]);
  return { dir: target, modelJsonBytes: j.size, weightBytes: w.size };
}

/**
 * Loads a model saved by {@link saveModel} (or any model.json + weight files layout).
 *
 * @param dir Directory holding model.json, or the path of the model JSON file.
 * @param options Passed to `tfl.loadLayersModel` (e.g. `strict`).
 * @example
 * const model = await loadModel('out/pruned');
 */
export async function loadModel(dir: string, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TypeError(`loadModel: 'dir' must be a non-empty path string, got ${String(dir)}.`);
  }
  return tfl.loadLayersModel(fileLoadHandler(path.resolve(dir)), options);
}
