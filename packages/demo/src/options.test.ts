import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { demoProgram, parseDemoOptions, QUICK_DEFAULTS } from './options';

describe('parseDemoOptions', () => {
  it('gives the quick defaults with no arguments', () => {
    const o = parseDemoOptions([]);
    expect(o).toEqual({ ...QUICK_DEFAULTS });
  });

  it('--full uses the whole training split and longer stages', () => {
    const o = parseDemoOptions(['--full']);
    expect(o).toMatchObject({ full: true, trainLimit: null, proxEpochs: 5, hspgEpochs: 5, lambda: 'auto' });
  });

  it('explicit options win over --full and the defaults', () => {
    const o = parseDemoOptions(
      [
        '--full --prox-epochs 2 --hspg-epochs 3 --finetune-epochs 0 --keep 0.3 --out x/y --backend cpu --seed 7',
        '--train-limit 256 --lambda 0.002 --lambda-hspg 0.0001 --lr 0.1 --finetune-lr 0.01 --latency-batch 1,8,64',
        '--latency-clock wall --no-progress',
      ]
        .join(' ')
        .split(' '),
    );
    expect(o).toMatchObject({
      full: true,
      proxEpochs: 2,
      hspgEpochs: 3,
      finetuneEpochs: 0,
      keep: 0.3,
      out: 'x/y',
      backend: 'cpu',
      seed: 7,
      trainLimit: 256,
      lambda: 0.002,
      lambdaHspg: 0.0001,
      learningRate: 0.1,
      finetuneLearningRate: 0.01,
      latencyBatchSizes: [1, 8, 64],
      latencyClock: 'wall',
      progress: false,
    });
  });

  it('takes --wasm-threads as a number or auto', () => {
    expect(parseDemoOptions(['--wasm-threads', '1']).wasmThreads).toBe(1);
    expect(parseDemoOptions(['--wasm-threads', 'auto']).wasmThreads).toBe('auto');
    expect(QUICK_DEFAULTS.wasmThreads).toBe('auto');
  });

  it("takes lambda 'auto'", () => {
    expect(parseDemoOptions(['--lambda', 'auto']).lambda).toBe('auto');
  });

  it.each([
    [['--keep', '0'], /--keep must be the fraction/],
    [['--keep', '1.5'], /--keep must be the fraction/],
    [['--prox-epochs', '2.5'], /--prox-epochs must be an integer >= 1/],
    [['--hspg-epochs', '0'], /--hspg-epochs must be an integer >= 1/],
    [['--lambda', 'strong'], /--lambda must be a number > 0, got 'strong'/],
    [['--backend', 'webgl'], /--backend must be one of auto, wasm, cpu, tensorflow/],
    [['--wasm-threads', '0'], /--wasm-threads must be an integer >= 1/],
    [['--wasm-threads', '65'], /--wasm-threads must be at most 64, got 65/],
    [['--latency-batch', '1,x'], /--latency-batch must be comma-separated/],
    [['--epsilon', '1'], /--epsilon must be a number in \[0, 1\)/],
    [['--bogus'], /unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoOptions(argv)).toThrow(message);
  });

  it('reports --help as a CommanderError the CLI turns into the help text', () => {
    let err: unknown;
    try {
      parseDemoOptions(['--help']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.helpDisplayed');
  });
});

describe('the README and --help', () => {
  it('list the same options', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const line = readme.match(/^Options \(`npm run demo -- --help`\):([\s\S]*?)\n\n/m);
    expect(line, 'the README has an "Options (`npm run demo -- --help`):" paragraph').not.toBeNull();
    const documented = [...(line?.[1] ?? '').matchAll(/`(--[a-z0-9-]+)`/g)].map((m) => m[1]).sort();
    const cli = demoProgram()
      .options.map((o) => o.long as string)
      .filter((f) => f !== '--help')
      .sort();
    expect(documented).toEqual(cli);
  });
});
