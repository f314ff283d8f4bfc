/**
 * Small helpers shared by the built-in layer handlers: shape arithmetic and channel-map transforms.
 */
import type { ChannelMap } from './channel-table';
import type { LayerHandlerContext, Shape } from './handler-types';

/** Product of the known entries of `dims` (throws on unknown dims, which MAC counting cannot use). */
export function product(dims: ReadonlyArray<number | null>, what = 'shape'): number {
  let p = 1;
  for (const d of dims) {
    if (d == null) throw new Error(`countFlops: ${what} ${fmtShape(dims)} has an unknown dimension`);
    p *= d;
  }
  return p;
}

/** '[null, 4, 4, 3]' (Array.join would print null as an empty string). */
export function fmtShape(shape: Shape): string {
  return `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;
}

export function lastDim(shape: Shape): number {
  return shape[shape.length - 1] ?? 0;
}

export function requireChannelsLast(ctx: LayerHandlerContext): void {
  const fmt = ctx.config.dataFormat;
  if (fmt != null && fmt !== 'channelsLast') {
    ctx.fail(
      `dataFormat '${String(fmt)}' is not supported (only 'channelsLast'); rebuild the layer channels-last`,
    );
  }
}

/** Repeats every entry of `map` `times` times in place: [a, b] x2 -> [a, a, b, b] (depthwise ordering). */
export function repeatEach(map: ArrayLike<number>, times: number): ChannelMap {
  const out = new Int32Array(map.length * times);
  for (let c = 0; c < map.length; c++) for (let m = 0; m < times; m++) out[c * times + m] = map[c]!;
  return out;
}

/** Tiles `map` `times` times: [a, b] x2 -> [a, b, a, b] (Flatten ordering p*C + c). */
export function tile(map: ArrayLike<number>, times: number): ChannelMap {
  const out = new Int32Array(map.length * times);
  for (let p = 0; p < times; p++) out.set(map as ArrayLike<number>, p * map.length);
  return out;
}

/**
 * The depth multiplier of a (separable) depthwise layer. tfjs 4.22 SeparableConv2D.getConfig() omits
 * `depthMultiplier`, so fall back to the layer property.
 */
export function depthMultiplierOf(layer: unknown, config: Record<string, unknown>): number {
  return Number(config.depthMultiplier ?? (layer as { depthMultiplier?: number }).depthMultiplier ?? 1);
}

export function single(ctx: LayerHandlerContext): ChannelMap {
  if (ctx.inputs.length !== 1) ctx.fail(`expected 1 input tensor, got ${ctx.inputs.length}`);
  return ctx.inputs[0]!;
}

export function axesOf(config: Record<string, unknown>, rank: number): number[] {
  const raw = config.axis ?? -1;
  const list = Array.isArray(raw) ? (raw as number[]) : [raw as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}
