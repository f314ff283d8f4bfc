;; The full passes over the groups of the weighted SEF prox (weighted-sef-prox.ts), in WebAssembly: the
;; norm scan, the build pass fused with the first retirement, the retirement rounds of the search, and the
;; two passes of the final solve.
;; Each function is the exact transcription of its JavaScript twin (sef-passes.ts, and retireRound in
;; root-finding.ts: same float64
;; operations in the same order; WebAssembly float64 arithmetic is IEEE 754 like JavaScript's, without
;; fused multiply-add), so both produce identical bits; the tests compare them. The search's control
;; (pivots, bracket moves, the exact-median fallback) stays in JavaScript.
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
  ;; lo, hi, wa. res = [n, kept, head, linWa, linLoWa, steps, Phi sums over the kept groups at p1 and p2].
  ;; Classification flags are i32; terms are
  ;; selected arithmetically (multiplied by 0 or 1) exactly as in the JavaScript twin: V8 compiles a float
  ;; `select` to a branch, which mispredicts on shuffled groups (measured 1.5-2x slower).
  (func (export "build_retire")
    (param $a i32) (param $w i32) (param $m i32) (param $lambda f64) (param $s f64)
    (param $p1 f64) (param $p2 f64) (param $lo i32) (param $hi i32) (param $wa i32) (param $res i32)
    (local $j i32) (local $kept i32) (local $o i32)
    (local $n i32) (local $head i32) (local $steps i32)
    (local $isHead i32) (local $isTail i32) (local $isLin i32)
    (local $x f64) (local $wj f64) (local $waj f64) (local $inv f64) (local $L f64) (local $l f64) (local $h f64)
    (local $linWa f64) (local $linLoWa f64) (local $lin f64)
    (local $stays i32) (local $st f64) (local $t f64) (local $lt f64) (local $ht f64) (local $f1 f64) (local $f2 f64)
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
        (local.set $lin (f64.convert_i32_u (local.get $isLin)))
        (local.set $linWa (f64.add (local.get $linWa) (f64.mul (local.get $lin) (local.get $waj))))
        (local.set $linLoWa (f64.add (local.get $linLoWa)
          (f64.mul (local.get $lin) (f64.mul (local.get $l) (local.get $waj)))))
        ;; branch-free compaction: always write at kept, advance when the group stays
        (local.set $o (i32.shl (local.get $kept) (i32.const 3)))
        (f64.store (i32.add (local.get $lo) (local.get $o)) (local.get $l))
        (f64.store (i32.add (local.get $hi) (local.get $o)) (local.get $h))
        (f64.store (i32.add (local.get $wa) (local.get $o)) (local.get $waj))
        (local.set $stays (i32.eqz (i32.or (i32.or (local.get $isHead) (local.get $isTail)) (local.get $isLin))))
        (local.set $kept (i32.add (local.get $kept) (local.get $stays)))
        ;; Phi at p1 and p2 over the kept groups, as the JavaScript twin
        (local.set $st (f64.convert_i32_u (local.get $stays)))
        (local.set $t (f64.mul (f64.sub (local.get $p1) (local.get $l)) (local.get $waj)))
        (local.set $lt (f64.convert_i32_u (f64.le (local.get $t) (f64.const 0))))
        (local.set $ht (f64.convert_i32_u (f64.ge (local.get $t) (f64.const 1))))
        (local.set $f1 (f64.add (local.get $f1) (f64.mul (local.get $st)
          (f64.add (local.get $ht) (f64.mul (f64.sub (f64.sub (f64.const 1) (local.get $lt)) (local.get $ht)) (local.get $t))))))
        (local.set $t (f64.mul (f64.sub (local.get $p2) (local.get $l)) (local.get $waj)))
        (local.set $lt (f64.convert_i32_u (f64.le (local.get $t) (f64.const 0))))
        (local.set $ht (f64.convert_i32_u (f64.ge (local.get $t) (f64.const 1))))
        (local.set $f2 (f64.add (local.get $f2) (f64.mul (local.get $st)
          (f64.add (local.get $ht) (f64.mul (f64.sub (f64.sub (f64.const 1) (local.get $lt)) (local.get $ht)) (local.get $t))))))
        (br $next)))
    (f64.store offset=48 (local.get $res) (local.get $f1))
    (f64.store offset=56 (local.get $res) (local.get $f2))
    (f64.store offset=0 (local.get $res) (f64.convert_i32_u (local.get $n)))
    (f64.store offset=8 (local.get $res) (f64.convert_i32_u (local.get $kept)))
    (f64.store offset=16 (local.get $res) (f64.convert_i32_u (local.get $head)))
    (f64.store offset=24 (local.get $res) (local.get $linWa))
    (f64.store offset=32 (local.get $res) (local.get $linLoWa))
    (f64.store offset=40 (local.get $res) (f64.convert_i32_u (local.get $steps))))

;; bracketBySelect's retirement round (root-finding.ts retireRound) over the active groups in lo, hi, wa:
  ;; retire into the running fixed sums, compact the others to the front, count (and with gather != 0
  ;; copy to buf) their breakpoints strictly inside (cL, cR), and sum Phi over them at p0, p1, p2.
  ;; res = [keep, nb, fixedHead, fixedWa, fixedLoWa, f0, f1, f2].
  (func (export "retire_round")
    (param $lo i32) (param $hi i32) (param $wa i32) (param $active i32) (param $cL f64) (param $cR f64)
    (param $p0 f64) (param $p1 f64) (param $p2 f64) (param $gather i32) (param $buf i32)
    (param $fixedHead f64) (param $fixedWa f64) (param $fixedLoWa f64) (param $res i32)
    (local $j i32) (local $o i32) (local $keep i32) (local $nb i32) (local $heads i32)
    (local $isHead i32) (local $isTail i32) (local $isLin i32) (local $stays i32)
    (local $l f64) (local $h f64) (local $w f64) (local $t f64) (local $f0 f64) (local $f1 f64) (local $f2 f64)
    (local $st f64) (local $lt f64) (local $ht f64) (local $lin f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $active)))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $l (f64.load (i32.add (local.get $lo) (local.get $o))))
        (local.set $h (f64.load (i32.add (local.get $hi) (local.get $o))))
        (local.set $w (f64.load (i32.add (local.get $wa) (local.get $o))))
        (local.set $isHead (f64.le (local.get $h) (local.get $cL)))
        (local.set $isTail (i32.and (i32.eqz (local.get $isHead)) (f64.ge (local.get $l) (local.get $cR))))
        (local.set $isLin
          (i32.and
            (i32.and (i32.eqz (local.get $isHead)) (i32.eqz (local.get $isTail)))
            (i32.and (f64.le (local.get $l) (local.get $cL)) (f64.ge (local.get $h) (local.get $cR)))))
        (local.set $heads (i32.add (local.get $heads) (local.get $isHead)))
        (local.set $lin (f64.convert_i32_u (local.get $isLin)))
        (local.set $fixedWa (f64.add (local.get $fixedWa) (f64.mul (local.get $lin) (local.get $w))))
        (local.set $fixedLoWa (f64.add (local.get $fixedLoWa)
          (f64.mul (local.get $lin) (f64.mul (local.get $l) (local.get $w)))))
        (local.set $stays (i32.eqz (i32.or (i32.or (local.get $isHead) (local.get $isTail)) (local.get $isLin))))
        (local.set $o (i32.shl (local.get $keep) (i32.const 3)))
        (f64.store (i32.add (local.get $lo) (local.get $o)) (local.get $l))
        (f64.store (i32.add (local.get $hi) (local.get $o)) (local.get $h))
        (f64.store (i32.add (local.get $wa) (local.get $o)) (local.get $w))
        (local.set $keep (i32.add (local.get $keep) (local.get $stays)))
        (if (local.get $gather)
          (then
            (f64.store (i32.add (local.get $buf) (i32.shl (local.get $nb) (i32.const 3))) (local.get $l))
            (local.set $nb (i32.add (local.get $nb) (i32.and (local.get $stays) (f64.gt (local.get $l) (local.get $cL)))))
            (f64.store (i32.add (local.get $buf) (i32.shl (local.get $nb) (i32.const 3))) (local.get $h))
            (local.set $nb (i32.add (local.get $nb) (i32.and (local.get $stays) (f64.lt (local.get $h) (local.get $cR))))))
          (else
            (local.set $nb (i32.add (local.get $nb)
              (i32.add (i32.and (local.get $stays) (f64.gt (local.get $l) (local.get $cL)))
                       (i32.and (local.get $stays) (f64.lt (local.get $h) (local.get $cR))))))))
        ;; Phi at the pivots over the staying groups: stays * (hi + (1 - lo - hi) * t), as the JavaScript twin
        ;; (arithmetic selection: `select` on floats compiles to a branch, which mispredicts here)
        (local.set $st (f64.convert_i32_u (local.get $stays)))
        (local.set $t (f64.mul (f64.sub (local.get $p0) (local.get $l)) (local.get $w)))
        (local.set $lt (f64.convert_i32_u (f64.le (local.get $t) (f64.const 0))))
        (local.set $ht (f64.convert_i32_u (f64.ge (local.get $t) (f64.const 1))))
        (local.set $f0 (f64.add (local.get $f0) (f64.mul (local.get $st)
          (f64.add (local.get $ht) (f64.mul (f64.sub (f64.sub (f64.const 1) (local.get $lt)) (local.get $ht)) (local.get $t))))))
        (local.set $t (f64.mul (f64.sub (local.get $p1) (local.get $l)) (local.get $w)))
        (local.set $lt (f64.convert_i32_u (f64.le (local.get $t) (f64.const 0))))
        (local.set $ht (f64.convert_i32_u (f64.ge (local.get $t) (f64.const 1))))
        (local.set $f1 (f64.add (local.get $f1) (f64.mul (local.get $st)
          (f64.add (local.get $ht) (f64.mul (f64.sub (f64.sub (f64.const 1) (local.get $lt)) (local.get $ht)) (local.get $t))))))
        (local.set $t (f64.mul (f64.sub (local.get $p2) (local.get $l)) (local.get $w)))
        (local.set $lt (f64.convert_i32_u (f64.le (local.get $t) (f64.const 0))))
        (local.set $ht (f64.convert_i32_u (f64.ge (local.get $t) (f64.const 1))))
        (local.set $f2 (f64.add (local.get $f2) (f64.mul (local.get $st)
          (f64.add (local.get $ht) (f64.mul (f64.sub (f64.sub (f64.const 1) (local.get $lt)) (local.get $ht)) (local.get $t))))))
        (br $next)))
    (f64.store offset=0 (local.get $res) (f64.convert_i32_u (local.get $keep)))
    (f64.store offset=8 (local.get $res) (f64.convert_i32_u (local.get $nb)))
    (f64.store offset=16 (local.get $res) (f64.add (local.get $fixedHead) (f64.convert_i32_u (local.get $heads))))
    (f64.store offset=24 (local.get $res) (local.get $fixedWa))
    (f64.store offset=32 (local.get $res) (local.get $fixedLoWa))
    (f64.store offset=40 (local.get $res) (local.get $f0))
    (f64.store offset=48 (local.get $res) (local.get $f1))
    (f64.store offset=56 (local.get $res) (local.get $f2)))

  ;; solveOnBracket, first loop: res = [head, sumWa, sumW2, sumStepWa] over the groups, classified against
  ;; the bracket [cL, cR].
  (func (export "solve_sums")
    (param $a i32) (param $w i32) (param $m i32) (param $lambda f64) (param $s f64)
    (param $cL f64) (param $cR f64) (param $res i32)
    (local $j i32) (local $o i32) (local $head i32) (local $isHead i32) (local $isTail i32) (local $isMid i32)
    (local $x f64) (local $wj f64) (local $waj f64) (local $inv f64) (local $L f64) (local $l f64) (local $h f64)
    (local $sumWa f64) (local $sumW2 f64) (local $sumStepWa f64) (local $mid f64)
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
          (f64.mul (f64.convert_i32_u (i32.and (local.get $isTail) (f64.le (local.get $h) (local.get $cR))))
                   (local.get $waj))))
        (local.set $mid (f64.convert_i32_u (local.get $isMid)))
        (local.set $sumWa (f64.add (local.get $sumWa) (f64.mul (local.get $mid) (local.get $waj))))
        (local.set $sumW2 (f64.add (local.get $sumW2) (f64.mul (local.get $mid) (f64.mul (local.get $wj) (local.get $wj)))))
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
    (local $useRidge f64)
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
        ;; as the JavaScript twin: useRidge = ridge <= y; soft = (d > 8 eps x) (useRidge ridge + (1 - useRidge) y);
        ;; out = isHead ridge + isMid soft (arithmetic selection: `select` on floats compiles to a branch)
        (local.set $useRidge (f64.convert_i32_u (f64.le (local.get $ridge) (local.get $y))))
        (local.set $soft
          (f64.mul
            (f64.convert_i32_u (f64.gt (local.get $d) (f64.mul (f64.const 0x1p-49) (local.get $x))))
            (f64.add (f64.mul (local.get $useRidge) (local.get $ridge))
                     (f64.mul (f64.sub (f64.const 1) (local.get $useRidge)) (local.get $y)))))
        (f64.store (i32.add (local.get $out) (local.get $o))
          (f64.add (f64.mul (f64.convert_i32_u (local.get $isHead)) (local.get $ridge))
                   (f64.mul (f64.convert_i32_u (local.get $isMid)) (local.get $soft))))
        (br $next))))
)
