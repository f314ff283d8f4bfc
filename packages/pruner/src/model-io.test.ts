import { promises as fsp, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mlp, randomizeWeights, resnetBlocks, vggBn } from './__fixtures__/models';
import { sparsify } from './__fixtures__/sparsify';
import { compareModels } from './equivalence';
import { fileLoadHandler, loadModel, saveModel } from './node';
import { prune } from './prune';

let root = '';
beforeAll(async () => {
  root = await fsp.mkdtemp(join(tmpdir(), 'klevel-pruner-io-'));
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describeBackends('saveModel / loadModel', (backend) => {
  it('round-trips a model with identical predictions, in the standard layout', async () => {
    const model = vggBn();
    randomizeWeights(model, 7);
    const dir = join(root, `vgg-${backend}`);
    const info = await expectNoLeaks(() => saveModel(model, dir));
    expect(info.weightBytes).toBe(model.countParams() * 4);
    const files = (await fsp.readdir(dir)).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await fsp.readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);

    const loaded = await loadModel(dir);
    expect(compareModels(loaded, model).maxAbsoluteDifference).toBe(0);
    // Stock tfl.loadLayersModel reads the same files through a standard IO handler.
    const stock = await tfl.loadLayersModel(fileLoadHandler(dir));
    expect(compareModels(stock, model).maxAbsoluteDifference).toBe(0);
    // No temporary directories are left beside the target.
    expect((await fsp.readdir(root)).filter((f) => f.includes('klevel-'))).toEqual([]);
    loaded.dispose();
    stock.dispose();
    model.dispose();
  });

  it('replaces an existing model atomically, and an interrupted save leaves the old files intact', async () => {
    const first = mlp();
    randomizeWeights(first, 1);
    const second = mlp();
    randomizeWeights(second, 2);
    const dir = join(root, `atomic-${backend}`);
    await saveModel(first, dir);
    const oldJson = await fsp.readFile(join(dir, 'model.json'));
    const oldBin = await fsp.readFile(join(dir, 'weights.bin'));

    // The writer dies after writing weights.bin, before model.json (a crash midway through the save).
    let calls = 0;
    const failing = async (path: string, data: Uint8Array) => {
      calls++;
      if (calls === 2) throw new Error('disk full (injected)');
      await fsp.writeFile(path, data);
    };
    await expect(saveModel(second, dir, { writeFile: failing })).rejects.toThrow(
      /saveModel: writing .* failed, previous files left intact: disk full \(injected\)/,
    );
    expect(await fsp.readFile(join(dir, 'model.json'))).toEqual(oldJson);
    expect(await fsp.readFile(join(dir, 'weights.bin'))).toEqual(oldBin);
    expect((await fsp.readdir(root)).filter((f) => f.includes('klevel-'))).toEqual([]);
    const stillFirst = await loadModel(dir);
    expect(compareModels(stillFirst, first).maxAbsoluteDifference).toBe(0);

    // A successful save replaces the model.
    await saveModel(second, dir);
    const nowSecond = await loadModel(dir);
    expect(compareModels(nowSecond, second).maxAbsoluteDifference).toBe(0);
    expect(compareModels(nowSecond, first).maxAbsoluteDifference).toBeGreaterThan(0);
    for (const m of [first, second, stillFirst, nowSecond]) m.dispose();
  });

  it('round-trips a pruned model with identical predictions', async () => {
    const model = resnetBlocks();
    sparsify(model, 12, 0.5);
    const { model: small } = await prune(model, { check: { tolerance: 1e-5 } });
    const dir = join(root, `pruned-${backend}`);
    await saveModel(small, dir);
    const loaded = await loadModel(dir);
    expect(loaded.countParams()).toBe(small.countParams());
    expect(compareModels(loaded, small).maxAbsoluteDifference).toBe(0);
    expect(compareModels(loaded, model).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
    for (const m of [model, small, loaded]) m.dispose();
  });

  it('gives clear errors for bad arguments and missing files', async () => {
    const model = mlp();
    await expect(saveModel(model, '')).rejects.toThrow(/saveModel: 'dir' must be a non-empty path/);
    await expect(loadModel(join(root, 'missing'))).rejects.toThrow(/loadModel: cannot read .*model\.json/);
    model.dispose();
  });

  it('loads from the model.json path as well as its directory, and names broken files', async () => {
    const model = mlp();
    const dir = join(root, 'by-path');
    await saveModel(model, dir);
    const byPath = await loadModel(join(dir, 'model.json'));
    expect(compareModels(byPath, model).maxAbsoluteDifference).toBe(0);
    byPath.dispose();
    writeFileSync(join(root, 'broken.json'), '{ not json');
    await expect(loadModel(join(root, 'broken.json'))).rejects.toThrow(/broken\.json is not readable JSON/);
    writeFileSync(join(root, 'other.json'), '{"hello": 1}');
    await expect(loadModel(join(root, 'other.json'))).rejects.toThrow(/other\.json has no modelTopology/);
    rmSync(join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(
      /weight file .*weights\.bin listed in .*model\.json is not readable/,
    );
    model.dispose();
  });
});

describeBackends('loadModel: weight files that do not match the manifest', () => {
  async function saved(name: string): Promise<{ dir: string; bin: string; bytes: number; last: string }> {
    const model = mlp();
    randomizeWeights(model, 3);
    const dir = join(root, name);
    const { weightBytes } = await saveModel(model, dir);
    const json = JSON.parse(await fsp.readFile(join(dir, 'model.json'), 'utf8'));
    const weights = json.weightsManifest[0].weights as Array<{ name: string }>;
    model.dispose();
    return {
      dir,
      bin: join(dir, 'weights.bin'),
      bytes: weightBytes,
      last: weights[weights.length - 1]!.name,
    };
  }

  it('a truncated weights.bin names the file, the weight cut short and both sizes', async () => {
    const { dir, bin, bytes, last } = await saved('truncated');
    await fsp.truncate(bin, bytes - 6);
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(
        `loadModel: weight file .*weights\\.bin has ${bytes - 6} bytes, but .*model\\.json's weightsManifest ` +
          `expects ${bytes} bytes; weight '${last}' \\(float32 \\[\\d+\\], bytes \\d+-${bytes}\\) is cut short`,
      ),
    );
    // A cut inside an earlier weight names that weight.
    await fsp.truncate(bin, 10);
    await expect(loadModel(dir)).rejects.toThrow(
      /has 10 bytes, .* weight '[^']*kernel' \(float32 \[10, \d+\], bytes 0-\d+\) is cut short/,
    );
  });

  it('a padded weights.bin (extra bytes) is refused instead of loading silently', async () => {
    const { dir, bin, bytes, last } = await saved('padded');
    await fsp.appendFile(bin, new Uint8Array(8));
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(
        `has ${bytes + 8} bytes, but .* expects ${bytes} bytes; 8 extra bytes follow the last weight '${last}'`,
      ),
    );
  });
});
