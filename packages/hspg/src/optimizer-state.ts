/**
 * The scalars an optimizer saves next to its slots (iteration count, stage, epoch), held in variables that
 * every save reuses: `model.save` keeps the tensors `getWeights()` returns and never disposes them, so a
 * fresh `tf.scalar` per save would leak one tensor per value per checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One saved scalar: its weight name, value and dtype. */
export type StateEntry = readonly [name: string, value: number, dtype: 'int32' | 'float32'];

export class OptimizerState {
  private readonly vars = new Map<string, tf.Variable>();

  /** Writes the values into their variables (created on first use) and returns them as named tensors. */
  write(entries: readonly StateEntry[]): Array<{ name: string; tensor: tf.Tensor }> {
    return entries.map(([name, value, dtype]) => {
      let v = this.vars.get(name);
      if (!v || v.isDisposed) {
        v = tf.tidy(() => tf.variable(tf.scalar(value, dtype), false));
        this.vars.set(name, v);
      } else {
        const target = v;
        tf.tidy(() => {
          target.assign(tf.scalar(value, dtype));
        });
      }
      return { name, tensor: v };
    });
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
