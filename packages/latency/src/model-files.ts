/**
 * A minimal Node file-system IO handler for tfjs-layers models (model.json + binary weight files), so the
 * benchmark can load saved models without tfjs-node. Reads the standard layout written by `model.save()`
 * handlers and by @klevel/pruner's `saveModel`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nodeFs } from './node-modules';

/** Resolves a model path: a `model.json` file, any `.json` file, or a directory holding `model.json` (Node only). */
export async function resolveModelJsonPath(path: string): Promise<string> {
  const { fs, path: p } = await nodeFs('loadModelFromFile');
  const full = p.resolve(path);
  if (!fs.existsSync(full)) {
    throw new Error(
      `loadModelFromFile: ${path} does not exist; pass the path of a model.json (or of its directory) saved by ` +
        "model.save() or @klevel/pruner's saveModel",
    );
  }
  if (fs.statSync(full).isDirectory()) {
    const inDir = p.join(full, 'model.json');
    if (!fs.existsSync(inDir)) throw new Error(`loadModelFromFile: directory ${path} has no model.json`);
    return inDir;
  }
  return full;
}

/** A readable default name for a model file: its directory name for `.../name/model.json`, else the file stem. */
export async function modelNameFromPath(path: string): Promise<string> {
  const { path: p } = await nodeFs('modelNameFromPath');
  const file = await resolveModelJsonPath(path);
  const stem = p.basename(file).replace(/\.json$/i, '');
  return stem === 'model' ? p.basename(p.dirname(file)) || stem : stem;
}

/**
 * An IOHandler (for `tfl.loadLayersModel`) that reads `model.json` and the weight files its manifest names.
 *
 * @param path - a model.json file or its directory.
 * @example
 * const model = await tfl.loadLayersModel(fileLoadHandler('out/pruned/model.json'));
 */
export function fileLoadHandler(path: string): tf.io.IOHandler {
  return {
    load: async () => {
      const { fsp, path: p } = await nodeFs('loadModelFromFile');
      const jsonPath = await resolveModelJsonPath(path);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await fsp.readFile(jsonPath, 'utf8'));
      } catch (err) {
        throw new Error(`loadModelFromFile: ${jsonPath} is not readable JSON (${(err as Error).message})`);
      }
      if (json === null || typeof json !== 'object' || json.modelTopology == null) {
        throw new Error(`loadModelFromFile: ${jsonPath} has no modelTopology; it is not a tfjs model.json`);
      }
      const dir = p.dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const weightsPath of group.paths) {
            const file = p.join(dir, weightsPath);
            let bytes: Buffer;
            try {
              bytes = await fsp.readFile(file);
            } catch (err) {
              throw new Error(
                `loadModelFromFile: weight file ${file} listed in ${jsonPath} is not readable (${(err as Error).message})`,
              );
            }
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/**
 * Loads a tfjs-layers model from a model.json path (or its directory) on the local file system.
 *
 * @throws Error naming the path when it is missing, not JSON, not a layers model, or its weights are missing.
 * @example
 * const model = await loadModelFromFile('pruned/model.json');
 */
export async function loadModelFromFile(path: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(fileLoadHandler(path));
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('loadModelFromFile:')) throw err;
    throw new Error(`loadModelFromFile: could not build a layers model from ${path}: ${message}`);
  }
}

/**
 * Saves `model` as `<dir>/model.json` + `<dir>/weights.bin` (written to temporary names, then renamed, so a
 * crash never leaves a half-written model).
 *
 * @example
 * await saveModelToDir(model, 'out/dense');
 */
export async function saveModelToDir(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { fsp, path: p } = await nodeFs('saveModelToDir');
      await fsp.mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const weights = new Uint8Array(
        Array.isArray(weightData) ? tf.io.concatenateArrayBuffers(weightData) : weightData,
      );
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await fsp.writeFile(p.join(dir, 'weights.bin.tmp'), weights);
      await fsp.writeFile(p.join(dir, 'model.json.tmp'), JSON.stringify(json));
      await fsp.rename(p.join(dir, 'weights.bin.tmp'), p.join(dir, 'weights.bin'));
      await fsp.rename(p.join(dir, 'model.json.tmp'), p.join(dir, 'model.json'));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}
