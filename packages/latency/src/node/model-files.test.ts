import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { lenet5 } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { saveModel } from '@klevel/groups/node';
import { loadModelFromFile, modelNameFromPath } from './model-files';

describeBackends('model files', () => {
  it('saves model.json + weights.bin and loads them back with identical predictions', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'klevel-lat-')), 'dense');
    const model = lenet5({ seed: 2, filters: [2, 4], units: [8, 8] });
    await saveModel(model, dir);
    const loaded = await expectNoLeaks(
      () => loadModelFromFile(join(dir, 'model.json')),
      model.getWeights().length,
    );
    const fromDir = await loadModelFromFile(dir);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const [a, b, c] = [model, loaded, fromDir].map((m) => (m as tfl.LayersModel).predict(x) as tf.Tensor);
    expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
    expect(Array.from(c!.dataSync())).toEqual(Array.from(a!.dataSync()));
    tf.dispose([x, a!, b!, c!]);
    expect(await modelNameFromPath(join(dir, 'model.json'))).toBe('dense');
    for (const m of [model, loaded, fromDir]) m.dispose();
  });

  it('names the path and the problem for unreadable models', async () => {
    const root = mkdtempSync(join(tmpdir(), 'klevel-lat-bad-'));
    await expect(loadModelFromFile(join(root, 'missing/model.json'))).rejects.toThrow(
      /missing\/model.json does not exist; pass the path of a model.json/,
    );
    mkdirSync(join(root, 'empty'));
    await expect(loadModelFromFile(join(root, 'empty'))).rejects.toThrow(
      /directory .*empty has no model.json/,
    );
    writeFileSync(join(root, 'broken.json'), '{ not json');
    await expect(loadModelFromFile(join(root, 'broken.json'))).rejects.toThrow(
      /broken.json is not readable JSON/,
    );
    writeFileSync(join(root, 'other.json'), '{"hello": 1}');
    await expect(loadModelFromFile(join(root, 'other.json'))).rejects.toThrow(/has no modelTopology/);
    const dir = join(root, 'noweights');
    const model = lenet5({ filters: [2, 4], units: [8, 8] });
    await saveModel(model, dir);
    model.dispose();
    rmSync(join(dir, 'weights.bin'));
    await expect(loadModelFromFile(dir)).rejects.toThrow(
      /weight file .*weights.bin listed in .*model.json is not readable/,
    );
  });
});
