// Smoke test of the built CJS entry: `npm run build && node test/dist-smoke.cjs`.
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-layers'); // registers the gradients
const { useBestBackend } = require('@klevel/wasm-train/node');

(async () => {
  const { backend, reason } = await useBestBackend();
  if (backend !== 'wasm') throw new Error(`expected wasm, got ${backend}: ${reason}`);
  const w = tf.variable(tf.ones([3, 3, 1, 2]));
  const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(tf.ones([1, 5, 5, 1]), w, 2, 'same')), [w]);
  console.log(`cjs ok: ${backend}; dW[0] = ${grads[w.name].dataSync()[0]}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
