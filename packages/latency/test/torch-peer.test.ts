import { describe, expect, it } from 'vitest';
import { probeTorch, pythonCommand, startTorchPeer } from '../bench/torch-peer.mjs';
import { loadFourImages } from './peer-fixture';

describe('the PyTorch peer of the vs-pytorch benchmark', () => {
  it('skips the PyTorch column with a note naming the cause and the fix when Python is missing', async () => {
    const r = await startTorchPeer({ threads: 2, python: '/nonexistent/python3' });
    expect('peer' in r).toBe(false);
    const skipped = (r as { skipped: string }).skipped;
    expect(skipped).toMatch(/^PyTorch column skipped: \/nonexistent\/python3 could not be started/);
    expect(skipped).toContain('apt-get install python3-torch');
    expect(skipped).toContain('KLEVEL_BENCH_PYTHON');
  });

  it('reports a Python without torch as a failed import, not a crash', () => {
    // node stands in for a Python that cannot run `import torch`.
    const r = probeTorch(process.execPath);
    expect(r).toEqual({ error: expect.stringContaining("-c 'import torch' failed") });
  });

  it('prefers $KLEVEL_BENCH_PYTHON', () => {
    expect(pythonCommand({ KLEVEL_BENCH_PYTHON: '/opt/py/bin/python' })).toBe('/opt/py/bin/python');
  });

  const python = pythonCommand();
  const hasTorch = 'version' in probeTorch(python);
  // Runs where PyTorch is installed (the benchmark machines); elsewhere the skip path above is what runs.
  it.runIf(hasTorch)(
    'times training and inference steps of the mirrored models when PyTorch is present',
    async () => {
      const started = await startTorchPeer({ threads: 1, python });
      if (!('peer' in started)) throw new Error(started.skipped);
      const { peer } = started;
      const cleanup = await loadFourImages(peer);
      try {
        expect(started.info.threads).toBe(1);
        // Parameter counts equal to @klevel/zoo's models: the same architectures.
        const train = await peer.request({ cmd: 'model', arch: 'lenet5', mode: 'train', batch: 4 });
        expect(train.params).toBe(61_706);
        const step = await peer.request({ cmd: 'step' });
        expect(step.ms).toBeGreaterThan(0);
        expect(Number.isFinite(step.loss)).toBe(true);
        const caffe = await peer.request({ cmd: 'model', arch: 'lenet5Caffe', mode: 'train', batch: 4 });
        expect(caffe.params).toBe(431_080);
        const vgg = await peer.request({
          cmd: 'model',
          arch: 'vggSmall',
          batchNorm: false,
          mode: 'infer',
          batch: 2,
        });
        expect(vgg.params).toBe(1_009_102);
        const infer = await peer.request({ cmd: 'step' });
        expect(infer.sum).toBeCloseTo(2, 4); // two softmax rows
        const conv = await peer.request({ cmd: 'model', arch: 'conv', mode: 'infer', batch: 2 });
        expect(conv.params).toBe(9_248); // klevel-peer.mjs's convLayer()
        const { sum } = (await peer.request({ cmd: 'step' })) as { sum: number };
        expect(Number.isFinite(sum)).toBe(true);
        expect(Math.abs(sum - 2)).toBeGreaterThan(1e-3); // the conv output itself, no softmax
        await expect(peer.request({ cmd: 'model', arch: 'resnet', mode: 'train', batch: 4 })).rejects.toThrow(
          /model failed: KeyError/,
        );
      } finally {
        await peer.close();
        cleanup();
      }
    },
  );
});
