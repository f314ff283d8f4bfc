import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*'],
    // tfjs prints an "install tfjs-node" banner once per process; it is noise in test logs. (Setting tfjs'
    // IS_TEST flag instead would also switch on its kernel leak checks, which flag the wasm fused matmul.)
    onConsoleLog: (log) => !log.includes('Hi, looks like you are running TensorFlow.js in Node.js'),
  },
});
