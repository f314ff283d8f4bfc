/** Registering a klevel class with tfjs serialization (under 'Klevel>' + its class name), once. */
import * as tf from '@tensorflow/tfjs-core';

type Ctor = tf.serialization.SerializableConstructor<tf.serialization.Serializable>;
const registered = new Set<unknown>();

/**
 * Registers `cls` so a config naming it deserializes (idempotent). Called by the constructors, so a model
 * built in this process round-trips without an import for side effects; `@klevel/wgsef/register` registers
 * every class up front (loading a saved model first).
 */
export function registerKlevelClass(cls: unknown): void {
  if (registered.has(cls)) return;
  tf.serialization.registerClass(cls as Ctor, 'Klevel');
  registered.add(cls);
}
