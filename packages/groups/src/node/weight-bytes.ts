/**
 * The byte-count check of a model.json's weights manifest against the weight files on disk: a truncated
 * or padded `weights.bin` is an error naming the file, the weight, and the expected and actual sizes
 * (tfjs would either fail with an anonymous typed-array error or, for extra bytes, load silently).
 */
import type * as tf from '@tensorflow/tfjs-core';

const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight occupies in the weight files, or undefined when its size is not fixed (strings). */
export function weightByteLength(spec: tf.io.WeightsManifestEntry): number | undefined {
  const elements = spec.shape.reduce((p, d) => p * d, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = BYTES[dtype];
  return per === undefined ? undefined : elements * per;
}

function describe(spec: tf.io.WeightsManifestEntry, start: number, end: number): string {
  return `'${spec.name}' (${spec.quantization?.dtype ?? spec.dtype} [${spec.shape.join(', ')}], bytes ${start}-${end})`;
}

/**
 * Throws when the files of one manifest group do not hold exactly the bytes its weights need.
 *
 * @param group One entry of `weightsManifest` (its `paths` and `weights`).
 * @param files The resolved paths of `group.paths`, in order.
 * @param sizes The byte length of each file, in order.
 * @param jsonPath The model.json the manifest came from (for the message).
 */
export function checkWeightBytes(
  group: tf.io.WeightsManifestConfig[number],
  files: readonly string[],
  sizes: readonly number[],
  jsonPath: string,
): void {
  let expected = 0;
  const ranges: Array<{ spec: tf.io.WeightsManifestEntry; start: number; end: number }> = [];
  for (const spec of group.weights) {
    const bytes = weightByteLength(spec);
    if (bytes === undefined) return; // string weights: variable length, tfjs checks them itself
    ranges.push({ spec, start: expected, end: expected + bytes });
    expected += bytes;
  }
  const actual = sizes.reduce((s, x) => s + x, 0);
  if (actual === expected) return;
  const where =
    files.length === 1 ? `weight file ${files[0]}` : `weight files ${files.join(', ')} (together)`;
  const fix = `It is truncated, padded or from another save; save the model again (or restore the file matching ${jsonPath}).`;
  if (actual < expected) {
    const cut = ranges.find((r) => r.end > actual) as (typeof ranges)[number];
    throw new Error(
      `loadModel: ${where} has ${actual} bytes, but ${jsonPath}'s weightsManifest expects ${expected} bytes; ` +
        `weight ${describe(cut.spec, cut.start, cut.end)} is cut short. ${fix}`,
    );
  }
  const last = ranges[ranges.length - 1];
  throw new Error(
    `loadModel: ${where} has ${actual} bytes, but ${jsonPath}'s weightsManifest expects ${expected} bytes; ` +
      `${actual - expected} extra bytes follow the last weight${last ? ` ${describe(last.spec, last.start, last.end)}` : ''}. ${fix}`,
  );
}
