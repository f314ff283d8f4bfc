/**
 * The timing primitive: one inference whose completion is forced by reading every output back, and a one-off
 * memory profile. Kept apart from the orchestration so its correctness rules are in one place:
 * - `tf.tidy` wraps only the tensor-returning forward pass; it never returns a TypedArray (tidy would walk a
 *   large array element by element looking for tensors, which costs more than the inference itself);
 * - the clock stops only after `await output.data()` resolves, so asynchronous backends are really done;
 * - outputs are disposed after the clock stops, so disposal is not timed and nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

function forward(model: tfl.LayersModel, inputs: tf.Tensor[]): tf.Tensor[] {
  const out = tf.tidy(
    () =>
      model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor | tf.Tensor[],
  );
  return Array.isArray(out) ? out : [out];
}

/**
 * What a timed run measures. `'wall'` (default): elapsed wall-clock time, `performance.now()`, the latency a
 * user sees. `'cpu'`: CPU time (user + system) this process spent, `process.cpuUsage()` (Node only): much less
 * sensitive to other processes competing for the cores on a shared machine, but only a latency for
 * single-threaded synchronous backends (wasm and cpu in Node; not tfjs-node, whose threads add up, nor GPUs).
 */
export type Clock = 'wall' | 'cpu';

/** True when the `'cpu'` clock can run here (Node's `process.cpuUsage`; not in a browser). */
export function hasCpuClock(): boolean {
  // `typeof process` first: in a browser `process` is not declared at all, so `process?.x` would throw.
  return typeof process !== 'undefined' && typeof process.cpuUsage === 'function';
}

/** Starts a clock; calling the result returns the milliseconds elapsed on it. */
export function startClock(clock: Clock): () => number {
  if (clock === 'cpu') {
    if (!hasCpuClock()) {
      throw new Error(
        "startClock: clock 'cpu' needs Node's process.cpuUsage(), which this runtime (a browser?) does not have; " +
          "use 'wall'",
      );
    }
    const c0 = process.cpuUsage();
    return () => {
      const d = process.cpuUsage(c0);
      return (d.user + d.system) / 1000;
    };
  }
  const t0 = performance.now();
  return () => performance.now() - t0;
}

/** Back-to-back runs tried at most before giving up on a clock that does not advance. */
const MAX_RUNS_PER_READING = 4096;

/**
 * Times one inference of `model` on `inputs` in milliseconds (wall clock by default), including the read-back
 * of every output that forces completion. A run shorter than the clock's resolution reads 0 (browsers coarsen
 * `performance.now()` to 0.1 ms on pages that are not cross-origin isolated); then 2, 4, ... back-to-back runs
 * are timed until the clock moves, and their mean is returned, so a time is never 0.
 *
 * @param clock - `'wall'` (default) or `'cpu'`, see {@link Clock}.
 * @example
 * const ms = await timeInference(model, [x]);
 */
export async function timeInference(
  model: tfl.LayersModel,
  inputs: tf.Tensor[],
  clock: Clock = 'wall',
): Promise<number> {
  for (let runs = 1; runs <= MAX_RUNS_PER_READING; runs *= 2) {
    const elapsed = await timeRuns(model, inputs, clock, runs);
    if (elapsed > 0) return elapsed / runs;
  }
  throw new Error(
    `timeInference: the '${clock}' clock did not advance over ${MAX_RUNS_PER_READING} back-to-back inferences; ` +
      (clock === 'cpu'
        ? "it cannot time this model here; use clock 'wall'"
        : 'it cannot time this model here; check that performance.now() is not frozen or stubbed'),
  );
}

/** Milliseconds for `runs` back-to-back inferences, each read back; outputs are disposed after the clock stops. */
async function timeRuns(
  model: tfl.LayersModel,
  inputs: tf.Tensor[],
  clock: Clock,
  runs: number,
): Promise<number> {
  const outputs: tf.Tensor[] = [];
  const stop = startClock(clock);
  for (let r = 0; r < runs; r++) {
    const out = forward(model, inputs);
    await Promise.all(out.map((t) => t.data()));
    outputs.push(...out);
  }
  const elapsed = stop();
  tf.dispose(outputs);
  return elapsed;
}

/**
 * Memory of one inference: `peakBytes`/`newBytes` from `tf.profile` (allocations during the call) and the
 * `tf.memory()` tensor count and bytes while its outputs are alive (weights, inputs and outputs included).
 */
export async function profileInference(
  model: tfl.LayersModel,
  inputs: tf.Tensor[],
): Promise<{ peakBytes: number; newBytes: number; numTensors: number; numBytes: number }> {
  let outputs: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    outputs = forward(model, inputs);
    return outputs;
  });
  await Promise.all(outputs.map((t) => t.data()));
  const mem = tf.memory();
  tf.dispose(outputs);
  return {
    peakBytes: info.peakBytes,
    newBytes: info.newBytes,
    numTensors: mem.numTensors,
    numBytes: mem.numBytes,
  };
}
