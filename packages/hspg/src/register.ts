/** Registers HspgOptimizer with tfjs serialization (imported for its side effect by index.ts). */
import * as tf from '@tensorflow/tfjs-core';
import { HspgOptimizer } from './hspg-optimizer';

let registered = false;

/** Registers `KlevelHspgOptimizer` so saved models with this optimizer load (idempotent). */
export function registerHspg(): void {
  if (registered) return;
  tf.serialization.registerClass(HspgOptimizer, 'Klevel');
  registered = true;
}

registerHspg();
