/**
 * The union-find table behind the dependency graph. Every channel position of every tensor is mapped to
 * an *atom* (a fresh index created by a producer, a model input or an opaque layer); layers that force
 * two positions to be removed together (Add, Multiply, a shared kernel row, ...) union their atoms. After
 * the walk each union-find class becomes one coupled channel of the graph.
 */

/** A channel map: the atom of every position along a tensor's channel (last) axis. */
export type ChannelMap = Int32Array;

/** Where an atom came from. */
export type AtomOrigin =
  | { kind: 'producer'; layerName: string; index: number }
  | { kind: 'input'; inputName: string; index: number }
  | { kind: 'opaque'; layerName: string; index: number }
  /** A copy of another atom (same coupled channel) created where a layer changes what a zeroed channel
   *  carries (an f(0) != 0 op marks it nonzero, BatchNorm/depthwise clear the mark). */
  | { kind: 'derived'; layerName: string; index: number };

/**
 * Why a channel cannot be removed.
 * - `input` / `output`: it is part of a model input or output (shapes are fixed).
 * - `nonzero`: it passes an op with f(0) != 0 (sigmoid, softplus, ...), so zeroing its producers does not
 *   zero what its consumers read; blocks filter-type groups only.
 * - `mixing`: an op mixes channels (LayerNormalization, softmax over channels); blocks every group type.
 * - `opaque`: it enters or leaves a layer excluded from the analysis.
 */
export type TaintKind = 'input' | 'output' | 'nonzero' | 'mixing' | 'opaque';

/** One recorded reason, attached to an atom. */
export interface Taint {
  kind: TaintKind;
  reason: string;
}

/** Growable union-find over atoms with origins and taints. */
export class ChannelTable {
  private parent: number[] = [];
  private rank: number[] = [];
  readonly origins: AtomOrigin[] = [];
  private taints = new Map<number, Taint[]>();
  /** Atoms whose value is NOT zero once their group is zeroed, with the reason. */
  private nonzero = new Map<number, string>();

  get size(): number {
    return this.parent.length;
  }

  /** Creates `count` fresh atoms; `origin(i)` describes atom i of the batch. */
  create(count: number, origin: (i: number) => AtomOrigin): ChannelMap {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const id = this.parent.length;
      this.parent.push(id);
      this.rank.push(0);
      this.origins.push(origin(i));
      out[i] = id;
    }
    return out;
  }

  find(a: number): number {
    let root = a;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[a] !== root) {
      const next = this.parent[a]!;
      this.parent[a] = root;
      a = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const ka = this.rank[ra]!;
    const kb = this.rank[rb]!;
    if (ka < kb) this.parent[ra] = rb;
    else if (ka > kb) this.parent[rb] = ra;
    else {
      this.parent[rb] = ra;
      this.rank[ra] = ka + 1;
    }
  }

  /** Attaches a reason to every atom of `map` (deduplicated per atom). */
  taint(map: ArrayLike<number>, kind: TaintKind, reason: string): void {
    for (let i = 0; i < map.length; i++) {
      const atom = map[i]!;
      let list = this.taints.get(atom);
      if (!list) {
        list = [];
        this.taints.set(atom, list);
      }
      if (!list.some((t) => t.kind === kind && t.reason === reason)) list.push({ kind, reason });
    }
  }

  /**
   * Returns a copy of `map` made of derived atoms (each coupled with its source) that carry `reason` as
   * their "nonzero after zeroing" mark, or no mark when `reason` is null. Repeated atoms stay repeated.
   */
  derive(map: ArrayLike<number>, reason: string | null, layerName: string): ChannelMap {
    const cache = new Map<number, number>();
    const out = new Int32Array(map.length);
    for (let i = 0; i < map.length; i++) {
      const src = map[i]!;
      let atom = cache.get(src);
      if (atom === undefined) {
        atom = this.create(1, () => ({ kind: 'derived', layerName, index: i }))[0]!;
        this.union(src, atom);
        if (reason !== null) this.nonzero.set(atom, reason);
        cache.set(src, atom);
      }
      out[i] = atom;
    }
    return out;
  }

  /** Why `atom` is nonzero once its group is zeroed (undefined: it is zero). */
  nonzeroReason(atom: number): string | undefined {
    return this.nonzero.get(atom);
  }

  /** Every taint recorded on `atom` itself (not its class). */
  taintsOf(atom: number): readonly Taint[] {
    return this.taints.get(atom) ?? [];
  }
}
