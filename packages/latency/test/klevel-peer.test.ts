import { describe, expect, it } from 'vitest';
import { startKlevelPeer } from '../bench/klevel-peer.mjs';
import { loadFourImages } from './peer-fixture';

describe('the multi-threaded klevel peer of the vs-pytorch benchmark', () => {
  it('starts wasm with 2 XNNPACK threads and times the same models as this process', async () => {
    const { peer, info } = await startKlevelPeer({ threads: 2 });
    const cleanup = await loadFourImages(peer);
    try {
      expect(info).toMatchObject({ threads: 2, reason: expect.stringContaining('2 XNNPACK threads') });
      const train = await peer.request({ cmd: 'model', arch: 'lenet5', mode: 'train', batch: 4 });
      expect(train.params).toBe(61_706);
      const step = await peer.request({ cmd: 'step' });
      expect(step.ms).toBeGreaterThan(0);
      expect(Number.isFinite(step.loss)).toBe(true);
      // the pruned, BN-folded VGG-small of the inference rows: convs with bias, no BatchNorm
      const pruned = await peer.request({
        cmd: 'model',
        arch: 'vggSmall',
        batchNorm: false,
        filters: [16, 16, 32, 32],
        units: [150],
        mode: 'infer',
        batch: 2,
      });
      expect(pruned.params).toBe(253_228);
      expect((await peer.request({ cmd: 'step' })).ms).toBeGreaterThan(0);
      // the kernel-ceiling row: one 3x3 conv 32 -> 32 with bias, as torch_peer.py's 'conv'
      const conv = await peer.request({ cmd: 'model', arch: 'conv', mode: 'infer', batch: 2 });
      expect(conv.params).toBe(9_248);
      expect((await peer.request({ cmd: 'step' })).ms).toBeGreaterThan(0);
      await expect(peer.request({ cmd: 'model', arch: 'resnet', mode: 'train', batch: 4 })).rejects.toThrow(
        /unknown arch 'resnet' \(expected lenet5, lenet5Caffe, vggSmall, conv\)/,
      );
      await expect(peer.request({ cmd: 'bogus' })).rejects.toThrow(
        /klevel peer: bogus failed: unknown command 'bogus'/,
      );
    } finally {
      await peer.close();
      cleanup();
    }
  }, 60_000);
});
