// Smoke test of the built ESM entry: `npm run build && node test/dist-smoke.mjs`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { useBestBackend } from '@klevel/wasm-train/node';

const { backend, reason } = await useBestBackend();
if (backend !== 'wasm') throw new Error(`expected wasm, got ${backend}: ${reason}`);
const w = tf.variable(tf.ones([3, 3, 1, 2]));
const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(tf.ones([1, 5, 5, 1]), w, 2, 'same')), [w]);
console.log(`esm ok: ${backend}; dW[0] = ${grads[w.name].dataSync()[0]}`);
