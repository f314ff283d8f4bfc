;; The full passes over the groups of the weighted SEF prox (weighted-sef-prox.ts), in WebAssembly: the
;; norm scan, the build pass fused with the first retirement, and the two passes of the final solve.
;; Each function is the exact transcription of its JavaScript twin in weighted-sef-prox.ts (same float64
;; operations in the same order; WebAssembly float64 arithmetic is IEEE 754 like JavaScript's, without
;; fused multiply-add), so both produce identical bits; the tests compare them. The search between the
;; passes runs in JavaScript on the few groups these passes keep.
;;
;; The module owns its memory; the caller lays out float64 arrays in it (addresses in bytes) and grows it.
;; Regenerate sef-passes-wasm.ts after editing: npm run build:wasm-kernels
(module
  (memory (export "memory") 1)

  ;; res[0] = number of a_j > 0, res[1] = max a_j (0 if none).
  (func (export "scan") (param $a i32) (param $m i32) (param $res i32)
    (local $end i32) (local $x f64) (local $nnz f64) (local $max f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $m) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (f64.load (local.get $a)))
        (if (f64.gt (local.get $x) (f64.const 0))
          (then
            (local.set $nnz (f64.add (local.get $nnz) (f64.const 1)))
            (if (f64.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (br $next)))
    (f64.store (local.get $res) (local.get $nnz))
    (f64.store offset=8 (local.get $res) (local.get $max)))

;; buildAndRetire: breakpoints of every group with x = a_j s > 0 and finite breakpoints; groups with
  ;; both breakpoints outside [p1, p2] are retired (head count, linear sums), the others compacted into
  ;; lo, hi, wa. res = [n, kept, head, linWa, linLoWa, steps]. Classification flags are i32 and sums
  ;; pick their terms with `select` (the JavaScript twin multiplies by 0/1: the same values).
  (func (export "build_retire")
    (param $a i32) (param $w i32) (param $m i32) (param $lambda f64) (param $s f64)
    (param $p1 f64) (param $p2 f64) (param $lo i32) (param $hi i32) (param $wa i32) (param $res i32)
    (local $j i32) (local $kept i32) (local $o i32)
    (local $n i32) (local $head i32) (local $steps i32)
    (local $isHead i32) (local $isTail i32) (local $isLin i32)
    (local $x f64) (local $wj f64) (local $waj f64) (local $inv f64) (local $L f64) (local $l f64) (local $h f64)
    (local $linWa f64) (local $linLoWa f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $x (f64.mul (f64.load (i32.add (local.get $a) (local.get $o))) (local.get $s)))
        (br_if $next (i32.eqz (f64.gt (local.get $x) (f64.const 0))))
        (local.set $wj (f64.load (i32.add (local.get $w) (local.get $o))))
        (local.set $waj (f64.mul (local.get $wj) (local.get $x)))
        (local.set $inv (f64.div (f64.const 1) (local.get $waj)))
        (local.set $L (f64.mul (f64.mul (local.get $lambda) (local.get $wj)) (local.get $wj)))
        (local.set $l (f64.mul (local.get $L) (local.get $inv)))
        (local.set $h (f64.mul (f64.add (f64.const 1) (local.get $L)) (local.get $inv)))
        ;; Number.isFinite(h) && Number.isFinite(l): |v| < inf is false for inf and NaN
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $h)) (f64.const inf))))
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $l)) (f64.const inf))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $steps (i32.add (local.get $steps) (f64.le (local.get $h) (local.get $l))))
        (local.set $isHead (f64.le (local.get $h) (local.get $p1)))
        (local.set $isTail (i32.and (i32.eqz (local.get $isHead)) (f64.ge (local.get $l) (local.get $p2))))
        (local.set $isLin
          (i32.and
            (i32.and (i32.eqz (local.get $isHead)) (i32.eqz (local.get $isTail)))
            (i32.and (f64.le (local.get $l) (local.get $p1)) (f64.ge (local.get $h) (local.get $p2)))))
        (local.set $head (i32.add (local.get $head) (local.get $isHead)))
        (local.set $linWa (f64.add (local.get $linWa) (select (local.get $waj) (f64.const 0) (local.get $isLin))))
        (local.set $linLoWa (f64.add (local.get $linLoWa)
          (select (f64.mul (local.get $l) (local.get $waj)) (f64.const 0) (local.get $isLin))))
        ;; branch-free compaction: always write at kept, advance when the group stays
        (local.set $o (i32.shl (local.get $kept) (i32.const 3)))
        (f64.store (i32.add (local.get $lo) (local.get $o)) (local.get $l))
        (f64.store (i32.add (local.get $hi) (local.get $o)) (local.get $h))
        (f64.store (i32.add (local.get $wa) (local.get $o)) (local.get $waj))
        (local.set $kept (i32.add (local.get $kept)
          (i32.eqz (i32.or (i32.or (local.get $isHead) (local.get $isTail)) (local.get $isLin)))))
        (br $next)))
    (f64.store offset=0 (local.get $res) (f64.convert_i32_u (local.get $n)))
    (f64.store offset=8 (local.get $res) (f64.convert_i32_u (local.get $kept)))
    (f64.store offset=16 (local.get $res) (f64.convert_i32_u (local.get $head)))
    (f64.store offset=24 (local.get $res) (local.get $linWa))
    (f64.store offset=32 (local.get $res) (local.get $linLoWa))
    (f64.store offset=40 (local.get $res) (f64.convert_i32_u (local.get $steps))))

  ;; solveOnBracket, first loop: res = [head, sumWa, sumW2, sumStepWa] over the groups, classified against
  ;; the bracket [cL, cR].
  (func (export "solve_sums")
    (param $a i32) (param $w i32) (param $m i32) (param $lambda f64) (param $s f64)
    (param $cL f64) (param $cR f64) (param $res i32)
    (local $j i32) (local $o i32) (local $head i32) (local $isHead i32) (local $isTail i32) (local $isMid i32)
    (local $x f64) (local $wj f64) (local $waj f64) (local $inv f64) (local $L f64) (local $l f64) (local $h f64)
    (local $sumWa f64) (local $sumW2 f64) (local $sumStepWa f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $x (f64.mul (f64.load (i32.add (local.get $a) (local.get $o))) (local.get $s)))
        (br_if $next (i32.eqz (f64.gt (local.get $x) (f64.const 0))))
        (local.set $wj (f64.load (i32.add (local.get $w) (local.get $o))))
        (local.set $waj (f64.mul (local.get $wj) (local.get $x)))
        (local.set $inv (f64.div (f64.const 1) (local.get $waj)))
        (local.set $L (f64.mul (f64.mul (local.get $lambda) (local.get $wj)) (local.get $wj)))
        (local.set $l (f64.mul (local.get $L) (local.get $inv)))
        (local.set $h (f64.mul (f64.add (f64.const 1) (local.get $L)) (local.get $inv)))
        ;; Number.isFinite(h) && Number.isFinite(l): |v| < inf is false for inf and NaN
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $h)) (f64.const inf))))
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $l)) (f64.const inf))))
        (local.set $isHead (f64.le (local.get $h) (local.get $cL)))
        (local.set $isTail (i32.and (i32.eqz (local.get $isHead)) (f64.ge (local.get $l) (local.get $cR))))
        (local.set $isMid (i32.and (i32.eqz (local.get $isHead)) (i32.eqz (local.get $isTail))))
        (local.set $head (i32.add (local.get $head) (local.get $isHead)))
        (local.set $sumStepWa (f64.add (local.get $sumStepWa)
          (select (local.get $waj) (f64.const 0)
            (i32.and (local.get $isTail) (f64.le (local.get $h) (local.get $cR))))))
        (local.set $sumWa (f64.add (local.get $sumWa) (select (local.get $waj) (f64.const 0) (local.get $isMid))))
        (local.set $sumW2 (f64.add (local.get $sumW2)
          (select (f64.mul (local.get $wj) (local.get $wj)) (f64.const 0) (local.get $isMid))))
        (br $next)))
    (f64.store offset=0 (local.get $res) (f64.convert_i32_u (local.get $head)))
    (f64.store offset=8 (local.get $res) (local.get $sumWa))
    (f64.store offset=16 (local.get $res) (local.get $sumW2))
    (f64.store offset=24 (local.get $res) (local.get $sumStepWa)))

  ;; solveOnBracket, output loop: out[j] for every group (0 for zero norms and non-representable groups):
  ;; head a/(1 + L), middle min(ridge, (x - tau w)/s) unless below the rounding of the subtraction, tail 0,
  ;; step groups a th/(th + L) with th = clip(residual w a / sumStepWa, 0, 1).
  (func (export "solve_write")
    (param $a i32) (param $w i32) (param $m i32) (param $lambda f64) (param $s f64)
    (param $cL f64) (param $cR f64) (param $tau f64) (param $invS f64) (param $residual f64)
    (param $sumStepWa f64) (param $out i32)
    (local $j i32) (local $o i32) (local $isHead i32) (local $isTail i32) (local $isMid i32)
    (local $aj f64) (local $x f64) (local $wj f64) (local $waj f64) (local $inv f64) (local $L f64)
    (local $l f64) (local $h f64) (local $th f64) (local $ridge f64) (local $d f64) (local $y f64) (local $soft f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (f64.store (i32.add (local.get $out) (local.get $o)) (f64.const 0))
        (local.set $aj (f64.load (i32.add (local.get $a) (local.get $o))))
        (local.set $x (f64.mul (local.get $aj) (local.get $s)))
        (br_if $next (i32.eqz (f64.gt (local.get $x) (f64.const 0))))
        (local.set $wj (f64.load (i32.add (local.get $w) (local.get $o))))
        (local.set $waj (f64.mul (local.get $wj) (local.get $x)))
        (local.set $inv (f64.div (f64.const 1) (local.get $waj)))
        (local.set $L (f64.mul (f64.mul (local.get $lambda) (local.get $wj)) (local.get $wj)))
        (local.set $l (f64.mul (local.get $L) (local.get $inv)))
        (local.set $h (f64.mul (f64.add (f64.const 1) (local.get $L)) (local.get $inv)))
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $h)) (f64.const inf))))
        (br_if $next (i32.eqz (f64.lt (f64.abs (local.get $l)) (f64.const inf))))
        (local.set $isHead (f64.le (local.get $h) (local.get $cL)))
        (local.set $isTail (i32.and (i32.eqz (local.get $isHead)) (f64.ge (local.get $l) (local.get $cR))))
        (if (i32.and (local.get $isTail) (f64.le (local.get $h) (local.get $cR)))
          (then
            ;; step group: th = min(1, max(0, residual * waj / sumStepWa))
            (local.set $th (f64.min (f64.const 1)
              (f64.max (f64.const 0) (f64.div (f64.mul (local.get $residual) (local.get $waj)) (local.get $sumStepWa)))))
            (f64.store (i32.add (local.get $out) (local.get $o))
              (f64.div (f64.mul (local.get $aj) (local.get $th)) (f64.add (local.get $th) (local.get $L))))
            (br $next)))
        (local.set $isMid (i32.and (i32.eqz (local.get $isHead)) (i32.eqz (local.get $isTail))))
        (local.set $ridge (f64.div (local.get $aj) (f64.add (f64.const 1) (local.get $L))))
        (local.set $d (f64.sub (local.get $x) (f64.mul (local.get $tau) (local.get $wj))))
        (local.set $y (f64.mul (local.get $d) (local.get $invS)))
        ;; soft = min(ridge, y) if d > 8 eps x else 0
        (local.set $soft
          (select
            (select (local.get $ridge) (local.get $y) (f64.le (local.get $ridge) (local.get $y)))
            (f64.const 0)
            (f64.gt (local.get $d) (f64.mul (f64.const 0x1p-49) (local.get $x)))))
        (f64.store (i32.add (local.get $out) (local.get $o))
          (select (local.get $ridge) (select (local.get $soft) (f64.const 0) (local.get $isMid)) (local.get $isHead)))
        (br $next))))
)
