/**
 * Per-epoch checkpoints of a training stage (model weights, optimizer state, epoch logs), so a cell of the
 * full-scale grid that is killed mid-way resumes at its last finished epoch. One directory per stage: a
 * `state.json` manifest and a `tensors.bin` of float32/int32 values in manifest order.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

/** What a checkpoint holds besides tensors. */
export interface CheckpointState<L> {
  /** Epochs of the stage already done. */
  epochsDone: number;
  logs: L[];
}

interface Manifest<L> extends CheckpointState<L> {
  model: TensorEntry[];
  optimizer: TensorEntry[];
}

function pack(
  named: { name: string; tensor: tf.Tensor }[],
  chunks: Buffer[],
  offset: { n: number },
): TensorEntry[] {
  return named.map(({ name, tensor }) => {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = tensor.dataSync();
    const typed = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    const buf = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
    const entry = { name, shape: tensor.shape, dtype, offset: offset.n, length: typed.length } as TensorEntry;
    chunks.push(buf);
    offset.n += buf.byteLength;
    return entry;
  });
}

function unpack(entries: TensorEntry[], bin: Buffer): { name: string; tensor: tf.Tensor }[] {
  return entries.map((e) => {
    const bytes = bin.subarray(e.offset, e.offset + 4 * e.length);
    const copy = new Uint8Array(bytes).buffer;
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.name, tensor: tf.tensor(values, e.shape, e.dtype) };
  });
}

/** Saves the stage's state (atomically: written beside, then renamed). */
export async function saveCheckpoint<L>(
  dir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  state: CheckpointState<L>,
): Promise<void> {
  const chunks: Buffer[] = [];
  const offset = { n: 0 };
  const modelEntries = pack(
    model.weights.map((w, i) => ({ name: `${i}:${w.originalName}`, tensor: w.read() })),
    chunks,
    offset,
  );
  const opt = await optimizer.getWeights();
  const optEntries = pack(opt, chunks, offset);
  // getWeights returns the optimizer's variables plus fresh scalars (the iteration count): free those
  for (const { tensor } of opt) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  const manifest: Manifest<L> = { ...state, model: modelEntries, optimizer: optEntries };
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'tensors.bin'), Buffer.concat(chunks));
  writeFileSync(join(tmp, 'state.json'), JSON.stringify(manifest));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/**
 * Restores a stage's state into `model` and `optimizer` (compiled with it); returns the state, or
 * undefined when there is no checkpoint.
 */
export async function loadCheckpoint<L>(
  dir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
): Promise<CheckpointState<L> | undefined> {
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Manifest<L>;
  const bin = readFileSync(join(dir, 'tensors.bin'));
  const weights = unpack(manifest.model, bin);
  if (weights.length !== model.weights.length) {
    throw new Error(
      `checkpoint ${dir}: ${weights.length} model weights, the model has ${model.weights.length}; delete the directory to start the stage again.`,
    );
  }
  model.setWeights(weights.map((w) => w.tensor));
  tf.dispose(weights.map((w) => w.tensor));
  const opt = unpack(manifest.optimizer, bin);
  await optimizer.setWeights(opt);
  tf.dispose(opt.map((w) => w.tensor));
  return { epochsDone: manifest.epochsDone, logs: manifest.logs };
}

/** Removes a checkpoint directory (after its cell finished). */
export function removeCheckpoint(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A cell that has checkpoints but no record yet: how far each of its stages got. */
export interface InProgress {
  /** The checkpoint directory name (the job key with separators replaced). */
  cell: string;
  stages: { stage: string; epochsDone: number; lastLoss: number | undefined; lastAcc: number | undefined }[];
}

/** The cells with checkpoints under `<cacheDir>/checkpoints` (for the report). */
export function checkpointsInProgress(cacheDir: string): InProgress[] {
  const root = join(cacheDir, 'checkpoints');
  if (!existsSync(root)) return [];
  const out: InProgress[] = [];
  for (const cell of readdirSync(root).sort()) {
    const stages: InProgress['stages'] = [];
    for (const stage of ['main', 'finetune']) {
      const file = join(root, cell, stage, 'state.json');
      if (!existsSync(file)) continue;
      const m = JSON.parse(readFileSync(file, 'utf8')) as {
        epochsDone: number;
        logs: { loss?: number; acc?: number }[];
      };
      stages.push({
        stage,
        epochsDone: m.epochsDone,
        lastLoss: m.logs.at(-1)?.loss,
        lastAcc: m.logs.at(-1)?.acc,
      });
    }
    if (stages.length > 0) out.push({ cell, stages });
  }
  return out;
}
