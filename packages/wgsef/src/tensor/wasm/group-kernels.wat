;; Group kernels of the tensor prox on the tfjs wasm backend: fused per-position sums of squares (the group
;; norms) and the per-position rescale (the prox output).
;;
;; The module imports the tfjs-backend-wasm memory and reads the float32 weights where they live (no copy,
;; no squared intermediate tensor). The sums ADD into a float64 destination. Squares are summed in
;; float32 SIMD lanes over short runs (at most 16 rows, or 16 values per lane), then promoted and added
;; to float64 accumulators, so the rounding error stays at the level of a few float32 ulps for any size.
;;
;; Layout of a term with contiguous group axes: [outer, positions, inner] (row-major, float32).
;;   inner = 1: dst[p] += sum_o src[o * positions + p]^2                       (sum_squares_columns)
;;   inner > 1: dst[p] += sum_o sum_i src[(o * positions + p) * inner + i]^2    (sum_squares_rows)
;;
;; Rescale: dst = src * scale[p] with one float32 factor per position (the same float32 products as
;; tf.mul), written into a tensor the backend allocated.
;;
;; Regenerate group-kernels-wasm.ts after editing: npm run build:wasm-kernels
(module
  (import "env" "memory" (memory 0))

  ;; dst[c] += sum_{r < rows} src[r * cols + c]^2 for c < cols.
  ;; Row blocks of at most 16 rows; inside one, blocks of 16 columns (four float32x4 accumulators, one
  ;; 64-byte line per row) walk down the block's rows, then are added to dst in float64. The rows of a
  ;; block are read as 16 sequential streams (prefetch-friendly, few pages); then 4-column blocks and
  ;; single columns.
  (func (export "sum_squares_columns") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r0 i32) (local $nb i32) (local $base i32) (local $c i32) (local $r i32) (local $p i32)
    (local $d i32) (local $stride i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f64) (local $x f64)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (block $all_rows_done
      (loop $row_block
        (br_if $all_rows_done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $nb (i32.sub (local.get $rows) (local.get $r0)))
        (if (i32.gt_u (local.get $nb) (i32.const 16)) (then (local.set $nb (i32.const 16))))
        (local.set $base (i32.add (local.get $src) (i32.mul (local.get $r0) (local.get $stride))))
        (local.set $c (i32.const 0))
        ;; 16-column blocks
        (block $done16
          (loop $block16
            (br_if $done16 (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $cols)))
            (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0)) (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $r (local.get $nb))
            (loop $row16
            (local.set $v (v128.load offset=0 align=4 (local.get $p)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=16 align=4 (local.get $p)))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=32 align=4 (local.get $p)))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=48 align=4 (local.get $p)))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (local.get $v))))
              (local.set $p (i32.add (local.get $p) (local.get $stride)))
              (local.set $r (i32.sub (local.get $r) (i32.const 1)))
              (br_if $row16 (local.get $r)))
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store offset=0 align=8 (local.get $d) (f64x2.add (v128.load offset=0 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (local.get $a0))))
        (v128.store offset=16 align=8 (local.get $d) (f64x2.add (v128.load offset=16 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
        (v128.store offset=32 align=8 (local.get $d) (f64x2.add (v128.load offset=32 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (local.get $a1))))
        (v128.store offset=48 align=8 (local.get $d) (f64x2.add (v128.load offset=48 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a1) (local.get $a1)))))
        (v128.store offset=64 align=8 (local.get $d) (f64x2.add (v128.load offset=64 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (local.get $a2))))
        (v128.store offset=80 align=8 (local.get $d) (f64x2.add (v128.load offset=80 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)))))
        (v128.store offset=96 align=8 (local.get $d) (f64x2.add (v128.load offset=96 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (local.get $a3))))
        (v128.store offset=112 align=8 (local.get $d) (f64x2.add (v128.load offset=112 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $block16)))
        ;; 4-column blocks
        (block $done4
          (loop $block4
            (br_if $done4 (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $r (local.get $nb))
            (loop $row4
            (local.set $v (v128.load offset=0 align=4 (local.get $p)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $v))))
              (local.set $p (i32.add (local.get $p) (local.get $stride)))
              (local.set $r (i32.sub (local.get $r) (i32.const 1)))
              (br_if $row4 (local.get $r)))
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store offset=0 align=8 (local.get $d) (f64x2.add (v128.load offset=0 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (local.get $a0))))
        (v128.store offset=16 align=8 (local.get $d) (f64x2.add (v128.load offset=16 align=8 (local.get $d)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $block4)))
        ;; single columns, in float64
        (block $done1
          (loop $block1
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $s (f64.const 0))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $r (local.get $nb))
            (loop $row1
              (local.set $x (f64.promote_f32 (f32.load align=4 (local.get $p))))
              (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
              (local.set $p (i32.add (local.get $p) (local.get $stride)))
              (local.set $r (i32.sub (local.get $r) (i32.const 1)))
              (br_if $row1 (local.get $r)))
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store align=8 (local.get $d) (f64.add (f64.load align=8 (local.get $d)) (local.get $s)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $block1)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $nb)))
        (br $row_block))))

  ;; dst[p] += sum_{o < outer} sum_{i < inner} src[(o * positions + p) * inner + i]^2 for p < positions.
  ;; Each row of `inner` contiguous values is read in 16-value chunks into four float32x4 accumulators,
  ;; folded into a float64 sum every 16 chunks (256 values); then a scalar float64 tail.
  (func (export "sum_squares_rows")
    (param $src i32) (param $outer i32) (param $positions i32) (param $inner i32) (param $dst i32)
    (local $o i32) (local $q i32) (local $i i32) (local $p i32) (local $d i32) (local $end16 i32)
    (local $seg i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f64) (local $x f64)
    (local.set $p (local.get $src))
    (local.set $end16 (i32.and (local.get $inner) (i32.const -16)))
    (local.set $o (local.get $outer))
    (block $outer_done
      (loop $outer_loop
        (br_if $outer_done (i32.eqz (local.get $o)))
        (local.set $d (local.get $dst))
        (local.set $q (local.get $positions))
        (block $pos_done
          (loop $pos
            (br_if $pos_done (i32.eqz (local.get $q)))
            (local.set $s (f64.const 0))
            (local.set $i (i32.const 0))
            (block $segments_done
              (loop $segment
                (br_if $segments_done (i32.ge_u (local.get $i) (local.get $end16)))
                (local.set $seg (i32.add (local.get $i) (i32.const 256)))
                (if (i32.gt_u (local.get $seg) (local.get $end16)) (then (local.set $seg (local.get $end16))))
                (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0)) (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0))
                (loop $chunk
            (local.set $v (v128.load offset=0 align=4 (local.get $p)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=16 align=4 (local.get $p)))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=32 align=4 (local.get $p)))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=48 align=4 (local.get $p)))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (local.get $v))))
                  (local.set $p (i32.add (local.get $p) (i32.const 64)))
                  (local.set $i (i32.add (local.get $i) (i32.const 16)))
                  (br_if $chunk (i32.lt_u (local.get $i) (local.get $seg))))
                (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1))
                                          (f32x4.add (local.get $a2) (local.get $a3))))
                (local.set $v (f64x2.add (f64x2.promote_low_f32x4 (local.get $a0))
                                         (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
                (local.set $s (f64.add (local.get $s)
                  (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v)))))
                (br $segment)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $i) (local.get $inner)))
                (local.set $x (f64.promote_f32 (f32.load align=4 (local.get $p))))
                (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $tail)))
            (f64.store align=8 (local.get $d) (f64.add (f64.load align=8 (local.get $d)) (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 8)))
            (local.set $q (i32.sub (local.get $q) (i32.const 1)))
            (br $pos)))
        (local.set $o (i32.sub (local.get $o) (i32.const 1)))
        (br $outer_loop))))

  ;; dst[r * cols + c] = src[r * cols + c] * scale[c] for r < rows, c < cols (float32).
  (func (export "scale_columns") (param $src i32) (param $rows i32) (param $cols i32) (param $scale i32) (param $dst i32)
    (local $r i32) (local $c i32) (local $end4 i32) (local $rowBytes i32) (local $o i32)
    (local.set $end4 (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $r (local.get $rows))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.eqz (local.get $r)))
        (local.set $o (i32.const 0))
        (block $vec_done
          (loop $vec
            (br_if $vec_done (i32.ge_u (local.get $o) (local.get $end4)))
            (v128.store align=4 (i32.add (local.get $dst) (local.get $o))
              (f32x4.mul (v128.load align=4 (i32.add (local.get $src) (local.get $o)))
                         (v128.load align=4 (i32.add (local.get $scale) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $vec)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $o) (local.get $rowBytes)))
            (f32.store align=4 (i32.add (local.get $dst) (local.get $o))
              (f32.mul (f32.load align=4 (i32.add (local.get $src) (local.get $o)))
                       (f32.load align=4 (i32.add (local.get $scale) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $tail)))
        (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
        (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br $row))))

  ;; dst[(o * positions + p) * inner + i] = src[...] * scale[p] for o < outer, p < positions, i < inner.
  (func (export "scale_rows")
    (param $src i32) (param $outer i32) (param $positions i32) (param $inner i32) (param $scale i32) (param $dst i32)
    (local $o i32) (local $q i32) (local $i i32) (local $end4 i32) (local $sp i32) (local $f f32) (local $fv v128)
    (local.set $end4 (i32.and (local.get $inner) (i32.const -4)))
    (local.set $o (local.get $outer))
    (block $outer_done
      (loop $outer_loop
        (br_if $outer_done (i32.eqz (local.get $o)))
        (local.set $sp (local.get $scale))
        (local.set $q (local.get $positions))
        (block $pos_done
          (loop $pos
            (br_if $pos_done (i32.eqz (local.get $q)))
            (local.set $f (f32.load align=4 (local.get $sp)))
            (local.set $fv (f32x4.splat (local.get $f)))
            (local.set $i (i32.const 0))
            (block $vec_done
              (loop $vec
                (br_if $vec_done (i32.ge_u (local.get $i) (local.get $end4)))
                (v128.store align=4 (local.get $dst) (f32x4.mul (v128.load align=4 (local.get $src)) (local.get $fv)))
                (local.set $src (i32.add (local.get $src) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $vec)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $i) (local.get $inner)))
                (f32.store align=4 (local.get $dst) (f32.mul (f32.load align=4 (local.get $src)) (local.get $f)))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $tail)))
            (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
            (local.set $q (i32.sub (local.get $q) (i32.const 1)))
            (br $pos)))
        (local.set $o (i32.sub (local.get $o) (i32.const 1)))
        (br $outer_loop))))
)
