/**
 * Model paths for the benchmark and the CLI (Node only): resolve a model.json (or its directory), name it, and
 * load it without tfjs-node through the file IO handler of `@klevel/groups/node` (the standard model.json +
 * weight files layout written by `model.save()` handlers and by `saveModel`).
 */
import * as fs from 'node:fs';
import * as p from 'node:path';
import { fileLoadHandler } from '@klevel/groups/node';
import * as tfl from '@tensorflow/tfjs-layers';

/** Resolves a model path: a `model.json` file, any `.json` file, or a directory holding `model.json` (Node only). */
export async function resolveModelJsonPath(path: string): Promise<string> {
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
  const file = await resolveModelJsonPath(path);
  const stem = p.basename(file).replace(/\.json$/i, '');
  return stem === 'model' ? p.basename(p.dirname(file)) || stem : stem;
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
    return await tfl.loadLayersModel(fileLoadHandler(await resolveModelJsonPath(path)));
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('loadModelFromFile:')) throw err;
    throw new Error(`loadModelFromFile: could not build a layers model from ${path}: ${message}`);
  }
}
