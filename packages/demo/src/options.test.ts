import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { defaultPhase1Epochs, demoProgram, parseDemoOptions, QUICK_DEFAULTS } from './options';

describe('parseDemoOptions', () => {
  it('gives the quick defaults with no arguments', () => {
    const o = parseDemoOptions([]);
    expect(o).toMatchObject({ ...QUICK_DEFAULTS, phase1Epochs: 1 });
    expect(o.full).toBe(false);
    expect(o.trainLimit).toBe(QUICK_DEFAULTS.trainLimit);
  });

  it('--full uses the whole training split and a longer schedule', () => {
    const o = parseDemoOptions(['--full']);
    expect(o.full).toBe(true);
    expect(o.trainLimit).toBeNull();
    expect(o.epochs).toBe(30);
    expect(o.batchSize).toBe(128);
    expect(o.lambda).toBe(0.02);
    expect(o.evalBeforeFinalize).toBe(true);
    expect(o.phase1Epochs).toBe(15);
  });

  it('explicit options win over --full and the defaults', () => {
    const o = parseDemoOptions([
      '--full',
      '--epochs',
      '6',
      '--keep',
      '0.3',
      '--out',
      'x/y',
      '--backend',
      'cpu',
      '--seed',
      '7',
      '--train-limit',
      '256',
      '--phase1-epochs',
      '2',
      '--lambda',
      '0.002',
      '--latency-batch',
      '1,8,64',
      '--latency-clock',
      'wall',
      '--no-progress',
    ]);
    expect(o).toMatchObject({
      full: true,
      epochs: 6,
      phase1Epochs: 2,
      keep: 0.3,
      out: 'x/y',
      backend: 'cpu',
      seed: 7,
      trainLimit: 256,
      lambda: 0.002,
      latencyBatchSizes: [1, 8, 64],
      latencyClock: 'wall',
      progress: false,
    });
  });

  it.each([
    [['--keep', '0'], /--keep must be the fraction/],
    [['--keep', '1.5'], /--keep must be the fraction/],
    [['--epochs', '2.5'], /--epochs must be an integer >= 1/],
    [['--epochs', '1'], /--epochs must be at least 2/],
    [['--epochs', '4', '--phase1-epochs', '4'], /HSPG gets at least one epoch/],
    [['--backend', 'webgl'], /--backend must be one of auto, wasm, cpu, tensorflow/],
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
    const help = demoProgram().helpInformation();
    for (const flag of ['--full', '--epochs', '--keep', '--out', '--backend', '--seed', '--train-limit']) {
      expect(help).toContain(flag);
    }
  });
});

describe('defaultPhase1Epochs', () => {
  it('is half the epochs, at least 1, leaving at least 1 for HSPG', () => {
    expect(defaultPhase1Epochs(2)).toBe(1);
    expect(defaultPhase1Epochs(3)).toBe(2);
    expect(defaultPhase1Epochs(4)).toBe(2);
    expect(defaultPhase1Epochs(30)).toBe(15);
    expect(defaultPhase1Epochs(4, 0.25)).toBe(1);
    expect(defaultPhase1Epochs(8, 0.25)).toBe(2);
  });
});
