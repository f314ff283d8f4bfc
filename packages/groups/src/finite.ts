/**
 * The non-finite weight check shared by the APIs that must not run on a diverged model (countFlops here; the
 * pruner's prune and planPruning; anything else that would report numbers computed from NaN weights).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { collectLayers } from './selectors';

/**
 * Throws when any weight of `model` holds NaN or ±Infinity, naming `api`, the weight, its layer, how many
 * values are bad and the first bad position.
 *
 * @param model A tfjs-layers model (read only; nested models are searched too).
 * @param api The public function the user called (starts the message).
 * @throws Error `"<api>: weight '<variable>' of layer '<layer>' is not finite (<n> NaN, <m> ±Infinity of <size>
 *   values, the first at flat index <i>) ..."`.
 * @example
 * assertFiniteWeights(model, 'prune'); // before measuring or rebuilding anything
 */
export function assertFiniteWeights(model: tfl.LayersModel, api: string): void {
  for (const layer of collectLayers(model)) {
    for (const w of layer.weights) {
      if (w.dtype !== 'float32') continue;
      const data = w.read().dataSync() as Float32Array;
      let nan = 0;
      let inf = 0;
      let first = -1;
      for (let i = 0; i < data.length; i++) {
        const x = data[i] as number;
        if (x - x === 0) continue; // finite (NaN - NaN and Inf - Inf are NaN)
        if (Number.isNaN(x)) nan++;
        else inf++;
        if (first < 0) first = i;
      }
      if (first >= 0) {
        throw new Error(
          `${api}: weight '${w.name}' of layer '${layer.name}' is not finite (${nan} NaN, ${inf} ±Infinity of ` +
            `${data.length} values, the first at flat index ${first}). The model has diverged (or was loaded from ` +
            'a broken file), so its sparsity, costs and outputs mean nothing: restore a checkpoint from before the ' +
            'divergence and train again with a smaller learning rate (and check the training data for NaN).',
        );
      }
    }
  }
}
