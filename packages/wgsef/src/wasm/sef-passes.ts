/**
 * The WebAssembly twin of the JavaScript prox passes (../sef-passes.ts): the module (sef-passes.wat) owns
 * its memory, where the norms, weights, output and breakpoint scratch live as float64 arrays; `load`
 * copies a and w in, `solveWrite` copies the output out, and the search reads the kept breakpoints
 * through views on that memory. Same bits as the JavaScript passes, 3-6x faster per pass (no bounds
 * checks, measured in packages/wgsef/bench).
 */
import type { RoundPass } from '../root-finding';
import type { SefPasses } from '../sef-passes';
import { instantiateEmbedded, type WasmMemory } from './embedded-module';
import { SEF_PASSES_WASM_BASE64 } from './sef-passes-wasm';

interface Exports {
  memory: WasmMemory;
  scan(a: number, m: number, res: number): void;
  build_retire(
    a: number,
    w: number,
    m: number,
    lambda: number,
    s: number,
    p1: number,
    p2: number,
    lo: number,
    hi: number,
    wa: number,
    res: number,
  ): void;
  retire_round(
    lo: number,
    hi: number,
    wa: number,
    active: number,
    cL: number,
    cR: number,
    p0: number,
    p1: number,
    p2: number,
    gather: number,
    buf: number,
    fixedHead: number,
    fixedWa: number,
    fixedLoWa: number,
    res: number,
  ): void;
  solve_sums(a: number, w: number, m: number, lambda: number, s: number, cL: number, cR: number, res: number): void;
  solve_write(
    a: number,
    w: number,
    m: number,
    lambda: number,
    s: number,
    cL: number,
    cR: number,
    tau: number,
    invS: number,
    residual: number,
    sumStepWa: number,
    out: number,
  ): void;
}

const PAGE = 65536;
/** Arrays in the module's memory: res (64 bytes), then a, w, out, lo, hi, wa (8 m bytes each) and the
 * gather buffer of the search (16 m bytes). */
const ARRAYS = 8;

/** The WebAssembly passes; one instance serves every call (the prox is synchronous, not re-entrant). */
export class WasmSefPasses implements SefPasses, RoundPass {
  res = new Float64Array(0);
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  wa = new Float64Array(0);
  private readonly ex: Exports;
  private m = 0;
  private capacity = -1;
  private buffer: ArrayBuffer | undefined;
  private aView = new Float64Array(0);
  private wView = new Float64Array(0);
  private outView = new Float64Array(0);

  constructor(ex: Exports) {
    this.ex = ex;
  }

  get rounds(): RoundPass {
    return this;
  }

  gatherBuffer(size: number): Float64Array {
    return new Float64Array(this.ex.memory.buffer, this.offset(6), size);
  }

  retireRound(
    active: number,
    cL: number,
    cR: number,
    p0: number,
    p1: number,
    p2: number,
    gather: boolean,
    fixedHead: number,
    fixedWa: number,
    fixedLoWa: number,
  ): void {
    const o = (i: number) => this.offset(i);
    this.ex.retire_round(o(3), o(4), o(5), active, cL, cR, p0, p1, p2, gather ? 1 : 0, o(6), fixedHead, fixedWa, fixedLoWa, 0);
  }

  private offset(array: number): number {
    return 64 + array * 8 * this.capacity;
  }

  /** Lays out the arrays for m groups (grows the memory if needed) and refreshes the views. */
  private ensure(m: number): void {
    if (m > this.capacity) {
      const cap = Math.max(m, 1024);
      const bytes = 64 + ARRAYS * 8 * cap;
      const have = this.ex.memory.buffer.byteLength;
      if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.capacity = cap;
      this.buffer = undefined;
    }
    if (this.buffer !== this.ex.memory.buffer || m !== this.m) {
      const buf = this.ex.memory.buffer;
      this.buffer = buf;
      this.m = m;
      this.res = new Float64Array(buf, 0, 8);
      this.aView = new Float64Array(buf, this.offset(0), m);
      this.wView = new Float64Array(buf, this.offset(1), m);
      this.outView = new Float64Array(buf, this.offset(2), m);
      this.lo = new Float64Array(buf, this.offset(3), m);
      this.hi = new Float64Array(buf, this.offset(4), m);
      this.wa = new Float64Array(buf, this.offset(5), m);
    }
  }

  load(a: ArrayLike<number>, w: ArrayLike<number>): void {
    this.ensure(a.length);
    this.aView.set(a);
    this.wView.set(w);
  }

  scan(): void {
    this.ex.scan(this.offset(0), this.m, 0);
  }

  buildAndRetire(lambda: number, s: number, p1: number, p2: number): void {
    const o = (i: number) => this.offset(i);
    this.ex.build_retire(o(0), o(1), this.m, lambda, s, p1, p2, o(3), o(4), o(5), 0);
  }

  solveSums(lambda: number, s: number, cL: number, cR: number): void {
    this.ex.solve_sums(this.offset(0), this.offset(1), this.m, lambda, s, cL, cR, 0);
  }

  solveWrite(
    lambda: number,
    s: number,
    cL: number,
    cR: number,
    tau: number,
    invS: number,
    residual: number,
    sumStepWa: number,
    out: Float64Array,
  ): void {
    const o = (i: number) => this.offset(i);
    this.ex.solve_write(o(0), o(1), this.m, lambda, s, cL, cR, tau, invS, residual, sumStepWa, o(2));
    out.set(this.outView);
  }
}

let instance: WasmSefPasses | null | undefined;

/** The shared WebAssembly passes, or null where WebAssembly cannot run them (then JavaScript is used). */
export function wasmSefPasses(): WasmSefPasses | null {
  if (instance !== undefined) return instance;
  try {
    instance = new WasmSefPasses(instantiateEmbedded(SEF_PASSES_WASM_BASE64, {}) as unknown as Exports);
  } catch {
    instance = null;
  }
  return instance;
}
