import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expectNoLeaks, useTestBackend } from '@klevel/test-utils';
import { lenet5 } from '@klevel/zoo';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-main';
import { saveModel } from '@klevel/groups/node';
import type { LatencyReport } from './types';

const pkgRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let root = '';
let dense = '';
let pruned = '';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
    },
    progress: false,
  });
  return { code, out: out.join(''), err: err.join('') };
}

beforeAll(async () => {
  await useTestBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'klevel-cli-'));
  dense = join(root, 'dense');
  pruned = join(root, 'pruned');
  const a = lenet5({ seed: 1, filters: [8, 16], units: [32, 16] });
  const b = lenet5({ seed: 1, filters: [4, 8], units: [16, 8] });
  await saveModel(a, dense);
  await saveModel(b, pruned);
  a.dispose();
  b.dispose();
});

describe('klevel-latency CLI (in-process)', () => {
  it('benchmarks two saved models on wasm and cpu and writes JSON, Markdown and HTML that parse', async () => {
    const json = join(root, 'out/report.json');
    const md = join(root, 'out/report.md');
    const html = join(root, 'out/report.html');
    const { code, out, err } = await expectNoLeaks(() =>
      run([
        `${dense}/model.json`,
        pruned,
        '--batch',
        '1,8',
        '--backend',
        'wasm,cpu',
        '--runs',
        '3',
        '--warmup',
        '1',
        '--json',
        json,
        '--md',
        md,
        '--html',
        html,
        '--title',
        "Dense vs pruned (wasm & cpu), Ann's run",
      ]),
    );
    expect(err).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(out).toMatch(/median ms/);
    expect(out).toMatch(
      /pruned vs dense on wasm, batch 8: speedup \d+\.\d\dx, MAC ratio \d+\.\d\dx, efficiency/,
    );

    const report = JSON.parse(readFileSync(json, 'utf8')) as LatencyReport;
    expect(report.models.map((m) => m.name)).toEqual(['dense', 'pruned']);
    expect(report.results).toHaveLength(2 * 2 * 2);
    for (const r of report.results) {
      for (const key of [
        'median',
        'p10',
        'p90',
        'mean',
        'min',
        'max',
        'throughput',
        'params',
        'macs',
        'speedup',
      ]) {
        expect(r[key as keyof typeof r], key).toBeGreaterThan(0);
      }
      expect(r.p10).toBeLessThanOrEqual(r.p90);
      expect(r.timesMs).toHaveLength(3);
    }
    const pr = report.results.find((r) => r.model === 'pruned' && r.backend === 'cpu' && r.batchSize === 8)!;
    const dr = report.results.find((r) => r.model === 'dense' && r.backend === 'cpu' && r.batchSize === 8)!;
    expect(pr.macs!).toBeLessThan(dr.macs!);
    expect(pr.macRatio).toBeCloseTo(dr.macs! / pr.macs!, 9);
    expect(pr.speedup).toBeCloseTo(dr.median / pr.median, 9);

    const mdText = readFileSync(md, 'utf8');
    const rows = mdText.split('\n').filter((l) => /^\| (wasm|cpu) \|/.test(l));
    expect(rows).toHaveLength(8);
    expect(mdText).toMatch(/klevel-latency .*--batch 1,8/);
    // The reproduced command keeps its quoting: a shell reads back exactly the arguments that were given.
    const command = mdText.split('\n').find((l) => l.startsWith('klevel-latency '))!;
    expect(command).toContain(`--title 'Dense vs pruned (wasm & cpu), Ann'\\''s run'`);
    const echoed = await promisify(execFile)('sh', [
      '-c',
      `printf '%s\\n' ${command.slice('klevel-latency '.length)}`,
    ]);
    expect(echoed.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      '--title',
      "Dense vs pruned (wasm & cpu), Ann's run",
    ]);

    const htmlText = readFileSync(html, 'utf8');
    expect(htmlText.startsWith('<!doctype html>')).toBe(true);
    expect(htmlText.match(/<svg /g)).toHaveLength(3);
    expect(htmlText.match(/<\/svg>/g)).toHaveLength(3);
    expect(htmlText).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(htmlText).toMatch(/Latency per batch size/);
    expect(htmlText).toMatch(/Latency vs MACs/);
    expect(htmlText).toMatch(/Speedup vs ideal/);
    const raw = htmlText.match(/<details><summary>JSON<\/summary><pre>([\s\S]*?)<\/pre>/)![1]!;
    const unescaped = raw
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    expect(JSON.parse(unescaped).results).toHaveLength(8);
  });

  it('fails with a clear message and exit code 1 on bad input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[join(root, 'nope/model.json')], /nope\/model.json does not exist/],
      [
        [dense, '--input-shape', '32,32,3', '--backend', 'cpu'],
        /does not match model 'dense' input shape \[28, 28, 1\]/,
      ],
      [[dense, '--backend', 'cuda'], /unknown backend 'cuda'/],
      [[dense, '--backend', 'tensorflow'], /the forced backend 'tensorflow' cannot be used/],
      [[dense, '--batch', ','], /--batch needs a comma-separated list/],
      [[dense, '--batch', '0'], /'0' is not a positive integer/],
      [[dense, '--clock', 'gpu'], /option '--clock <clock>' argument 'gpu' is invalid/],
      [[dense, '--runs', 'many'], /'many' is not an integer >= 1/],
      [[], /missing required argument 'models'/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(1);
      expect(err, args.join(' ')).toMatch(message);
      // Option errors (commander's) carry the program's prefix like every other error.
      expect(err, args.join(' ')).toMatch(/^klevel-latency: error: /m);
    }
  });

  it('names the weight file, the weight and both sizes when a weights.bin is truncated', async () => {
    const dir = join(root, 'truncated');
    const m = lenet5({ seed: 2, filters: [4, 8], units: [16, 8] });
    const { weightBytes } = await saveModel(m, dir);
    m.dispose();
    truncateSync(join(dir, 'weights.bin'), weightBytes - 4);
    const { code, err } = await run([dir, '--backend', 'cpu']);
    expect(code).toBe(1);
    expect(err).toMatch(
      new RegExp(
        `klevel-latency: error: .*weight file .*truncated/weights\\.bin has ${weightBytes - 4} bytes, but .*model\\.json's ` +
          `weightsManifest expects ${weightBytes} bytes; weight '[^']+' \\(float32 \\[\\d+\\], bytes \\d+-${weightBytes}\\) is cut short`,
      ),
    );
  });
});

describe('klevel-latency executable', () => {
  it('runs as a node script with a shebang and exits non-zero on errors', async () => {
    const buildDir = mkdtempSync(join(pkgRoot, 'node_modules', '.klevel-cli-test-'));
    const outfile = join(buildDir, 'cli.mjs');
    try {
      await build({
        entryPoints: [join(pkgRoot, 'src/cli.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['@klevel/source'],
        external: ['@tensorflow/*', 'commander', 'cli-progress', 'cli-table3'],
        logLevel: 'silent',
      });
      expect(readFileSync(outfile, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
      const exec = promisify(execFile);
      const ok = await exec(process.execPath, [
        outfile,
        dense,
        pruned,
        '--backend',
        'wasm',
        '--runs',
        '2',
        '--warmup',
        '0',
      ]);
      expect(ok.stdout).toMatch(/pruned vs dense on wasm, batch 1/);
      const bad = await exec(process.execPath, [
        outfile,
        join(root, 'missing.json'),
        '--backend',
        'wasm',
      ]).catch((e: { code: number; stderr: string }) => e);
      expect((bad as { code: number }).code).toBe(1);
      expect((bad as { stderr: string }).stderr).toMatch(
        /klevel-latency: error: .*missing.json does not exist/,
      );
      expect(existsSync(outfile)).toBe(true);
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });
});
