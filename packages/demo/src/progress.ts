/**
 * Training progress: a cli-progress bar advanced per batch (on a TTY), or one line per epoch otherwise, as a
 * `tfl.Callback` subclass (it can share a `callbacks` array with the prox callback; never mix it with plain
 * objects there).
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SingleBar } from 'cli-progress';

/** Reads a log entry that a subclass callback may receive as a scalar Tensor. */
export async function logNumber(value: unknown): Promise<number | undefined> {
  if (typeof value === 'number') return value;
  if (value && typeof (value as tf.Tensor).data === 'function') {
    const d = await (value as tf.Tensor).data();
    return d[0] as number;
  }
  return undefined;
}

/** Options of {@link ProgressCallback}. */
export interface ProgressOptions {
  /** Label shown before the bar, e.g. 'dense' or 'WGSEF'. */
  label: string;
  /** Batches per epoch. */
  batchesPerEpoch: number;
  /** Epochs of this fit call. */
  epochs: number;
  /** Global epoch number of this fit's first epoch (for display). */
  epochOffset?: number;
  /** Total epochs of the run (for display). */
  totalEpochs?: number;
  /** Draw a bar (needs a TTY); otherwise print one line per epoch. Defaults to `process.stderr.isTTY`. */
  bar?: boolean;
  /** Where lines go (default process.stdout). */
  write?: (line: string) => void;
  /** Extra text for the epoch line, e.g. group sparsity. */
  describe?: () => string;
}

/** Per-batch progress bar and per-epoch summary line. */
export class ProgressCallback extends tfl.Callback {
  private bar: SingleBar | undefined;
  private epoch = 0;
  private lossSum = 0;
  private accSum = 0;
  private seen = 0;
  private readonly o: Required<Omit<ProgressOptions, 'describe'>> & Pick<ProgressOptions, 'describe'>;

  constructor(options: ProgressOptions) {
    super();
    this.o = {
      epochOffset: 0,
      totalEpochs: options.epochs + (options.epochOffset ?? 0),
      bar: Boolean(process.stderr.isTTY),
      write: (line) => process.stdout.write(`${line}\n`),
      ...options,
    };
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.lossSum = 0;
    this.accSum = 0;
    this.seen = 0;
    if (this.o.bar) {
      this.bar = new SingleBar({
        format: `  ${this.o.label.padEnd(6)} epoch ${this.o.epochOffset + epoch + 1}/${this.o.totalEpochs} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | {eta_formatted} left`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      });
      this.bar.start(this.o.batchesPerEpoch, 0, { loss: '-', acc: '-' });
    }
  }

  override async onBatchEnd(_batch: number, logs?: tfl.Logs): Promise<void> {
    const loss = await logNumber(logs?.loss);
    const acc = await logNumber(logs?.acc ?? logs?.accuracy);
    if (loss !== undefined) this.lossSum += loss;
    if (acc !== undefined) this.accSum += acc;
    this.seen++;
    this.bar?.increment(1, {
      loss: (this.lossSum / this.seen).toFixed(3),
      acc: (this.accSum / this.seen).toFixed(3),
    });
  }

  override async onEpochEnd(epoch: number, logs?: tfl.Logs): Promise<void> {
    this.bar?.stop();
    this.bar = undefined;
    const loss = (await logNumber(logs?.loss)) ?? this.lossSum / Math.max(1, this.seen);
    const acc = (await logNumber(logs?.acc ?? logs?.accuracy)) ?? this.accSum / Math.max(1, this.seen);
    const val = await logNumber(logs?.val_acc ?? logs?.val_accuracy);
    const extra = this.o.describe ? ` | ${this.o.describe()}` : '';
    this.o.write(
      `  ${this.o.label.padEnd(6)} epoch ${this.o.epochOffset + epoch + 1}/${this.o.totalEpochs}: loss ${loss.toFixed(4)}, acc ${acc.toFixed(4)}${
        val !== undefined ? `, val acc ${val.toFixed(4)}` : ''
      }${extra}`,
    );
    void this.epoch;
  }

  override async onTrainEnd(): Promise<void> {
    this.bar?.stop();
    this.bar = undefined;
  }
}
