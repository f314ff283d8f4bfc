/**
 * Registers the regularizer classes with tfjs serialization under their stable class names, so a model
 * or optimizer config that contains one can be deserialized. Imported for its side effect by index.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GroupLassoRegularizer } from './group-lasso-regularizer';
import { WgsefKernelRegularizer } from './kernel-regularizer';
import { WgsefRegularizer } from './wgsef-regularizer';

let registered = false;

/** Registers `KlevelWgsefRegularizer`, `KlevelGroupLassoRegularizer` and `KlevelWgsefKernelRegularizer` (idempotent). */
export function registerWgsefRegularizers(): void {
  if (registered) return;
  tf.serialization.registerClass(WgsefRegularizer, 'Klevel');
  tf.serialization.registerClass(GroupLassoRegularizer, 'Klevel');
  tf.serialization.registerClass(
    WgsefKernelRegularizer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
    'Klevel',
  );
  registered = true;
}

registerWgsefRegularizers();
