;; Dense float64 kernels in WebAssembly SIMD (f64x2) for the Fréchet distance's trace term at large d
;; (orchestrated by src-main/kernels/features/frechet-wasm.ts): the O(d³) parts of the Cholesky
;; factorisation, of the congruence Lᵀ Σb L and of the Householder tridiagonalisation.
;;
;; Why these kernels: blocked algorithms put almost all of their work into matrix products (gemm) and, in
;; the tridiagonalisation, into one symmetric matrix-vector product per column (symv); rowsDot and
;; colsAxpy do the O(d²·block) level-2 work inside the panels. Everything else (packing, pivoting,
;; Householder vectors) is O(d²) and stays in TypeScript on views of this memory.
;;
;; Determinism: wasm float operations are IEEE binary64, round-to-nearest, never fused; the summation
;; order below is fixed, so results do not depend on the engine or the machine.
;;
;; gemm: C += A·B on a block of 4·mt rows × 4·ns columns, with A and B packed by the caller:
;;   A: mt tiles of 4 rows, tile t at ap + t·kc·32, element (k, r) at + k·32 + r·8 (the 4 rows' k-th values)
;;   B: ns strips of 4 columns, strip s at bp + s·kc·32, element (k, q) at + k·32 + q·8
;;   C: row-major, row stride ldc bytes, C[4t + r][4s + q] at c + (4t + r)·ldc + (4s + q)·8
;; For each strip (kept in L1) every tile is swept (the A block stays in L2); a 4 × 4 register tile of
;; 8 f64x2 accumulators sums over k in order (one k at a time: 4 splats × 2 vectors of B), then is added
;; to C. Triangular operands: only k ∈ [4t + aStart, 4t + aEnd) can be non-zero in tile t, and only
;; k ∈ [4s + bStart, 4s + bEnd) in strip s (both clamped to [0, kc)), so the sum runs over the
;; intersection and a tile whose intersection is empty is not touched; pass ±2^30 for no bound. For a
;; lower-triangular C, tile t meets strip s only when t ≥ s − sAhead (pass 2^30 for all tiles). What is
;; skipped is either exact zeros or the unused upper triangle, so the results are those of the full loops.
;; 4 × 4 measured fastest on V8's x64 backend (≈ 10 GMAC/s on one Zen 5 core; 4 × 6 and 4 × 8 ≈ 6, k
;; unrolled by 2 ≈ 6.5): wider tiles spill accumulators out of the 16 xmm registers.
;;
;; symv: y += S v for the symmetric S stored in the lower triangle of the row-major matrix at `a` (row
;; stride ldb bytes), restricted to rows i ∈ [i0, n): y[i] += Σ_{js ≤ j ≤ i} A[i][j] v[j] and, for j < i,
;; y[j] += A[i][j] v[i]. Columns start at js ≤ i0 (even, so that pairs of columns are 16-byte aligned when
;; the rows are); the caller sets v[js..i0) to 0, which makes the extra columns add nothing to rows ≥ i0,
;; and ignores y[js..i0). Four rows share each load of v and each load/store of y (25% faster than two);
;; the few columns between the last full pair and the diagonal go through $rowTail. Memory-bound: it reads
;; each element of the triangle once.
;;
;; rowsDot: y_i ← (y_i − Σ_{q<len} A[i][q]·x[q]) / div for i < rows (A row i at a + i·lda bytes, y_i at
;; y + i·ystride bytes): the level-2 updates inside a panel (a new Cholesky column, a tridiagonalisation
;; column brought up to date, the reflectors' correction of a symv). Two rows per pass share the loads of x;
;; pairs of q, then an odd last q.
;;
;; colsAxpy: z[q] += Σ_{i<rows} v_i·A[i][q] for q < len (len even; v_i at v + 8i): Xᵀv for the panel's
;; reflectors. Two rows per pass halve the loads/stores of z.

(module
  (import "env" "mem" (memory 1))

  (func (export "gemm") (param $ap i32) (param $bp i32) (param $c i32) (param $ldc i32)
                        (param $mt i32) (param $ns i32) (param $kc i32)
                        (param $aStart i32) (param $aEnd i32) (param $bStart i32) (param $bEnd i32) (param $sAhead i32)
    (local $s i32) (local $t i32) (local $pa i32) (local $pb i32) (local $end i32) (local $cc i32)
    (local $k0 i32) (local $k1 i32) (local $sk0 i32) (local $sk1 i32)
    (local $panel i32) (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (i32.or (i32.or (i32.le_s (local.get $mt) (i32.const 0)) (i32.le_s (local.get $ns) (i32.const 0)))
                (i32.le_s (local.get $kc) (i32.const 0)))
      (then (return)))
    (local.set $panel (i32.shl (local.get $kc) (i32.const 5))) ;; bytes per tile / strip
    (local.set $s (i32.const 0))
    (loop $strips
      ;; The strip's non-zero depth range [4s + bStart, 4s + bEnd) ∩ [0, kc).
      (local.set $sk0 (call $clamp (i32.add (i32.shl (local.get $s) (i32.const 2)) (local.get $bStart)) (local.get $kc)))
      (local.set $sk1 (call $clamp (i32.add (i32.shl (local.get $s) (i32.const 2)) (local.get $bEnd)) (local.get $kc)))
      ;; Tiles t ≥ s − sAhead only (lower-triangular C).
      (local.set $t (i32.sub (local.get $s) (local.get $sAhead)))
      (if (i32.lt_s (local.get $t) (i32.const 0)) (then (local.set $t (i32.const 0))))
      (block $tilesDone
        (loop $tiles
          (br_if $tilesDone (i32.ge_s (local.get $t) (local.get $mt)))
          (local.set $k0 (call $clamp (i32.add (i32.shl (local.get $t) (i32.const 2)) (local.get $aStart)) (local.get $kc)))
          (local.set $k1 (call $clamp (i32.add (i32.shl (local.get $t) (i32.const 2)) (local.get $aEnd)) (local.get $kc)))
          (if (i32.gt_s (local.get $sk0) (local.get $k0)) (then (local.set $k0 (local.get $sk0))))
          (if (i32.lt_s (local.get $sk1) (local.get $k1)) (then (local.set $k1 (local.get $sk1))))
          (if (i32.lt_s (local.get $k0) (local.get $k1))
            (then
              (local.set $c00 (v128.const i64x2 0 0))
              (local.set $c01 (v128.const i64x2 0 0))
              (local.set $c10 (v128.const i64x2 0 0))
              (local.set $c11 (v128.const i64x2 0 0))
              (local.set $c20 (v128.const i64x2 0 0))
              (local.set $c21 (v128.const i64x2 0 0))
              (local.set $c30 (v128.const i64x2 0 0))
              (local.set $c31 (v128.const i64x2 0 0))
              (local.set $pa (i32.add (local.get $ap)
                (i32.add (i32.mul (local.get $t) (local.get $panel)) (i32.shl (local.get $k0) (i32.const 5)))))
              (local.set $pb (i32.add (local.get $bp)
                (i32.add (i32.mul (local.get $s) (local.get $panel)) (i32.shl (local.get $k0) (i32.const 5)))))
              (local.set $end (i32.add (local.get $bp)
                (i32.add (i32.mul (local.get $s) (local.get $panel)) (i32.shl (local.get $k1) (i32.const 5)))))
              (loop $k
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (v128.load64_splat (local.get $pa)))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=8 (local.get $pa)))
                (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=16 (local.get $pa)))
                (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=24 (local.get $pa)))
                (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
                (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
                (br_if $k (i32.lt_u (local.get $pb) (local.get $end))))
              ;; C tile at row 4t, column 4s.
              (local.set $cc (i32.add (local.get $c)
                (i32.add (i32.mul (i32.shl (local.get $t) (i32.const 2)) (local.get $ldc))
                         (i32.shl (local.get $s) (i32.const 5)))))
              (v128.store (local.get $cc) (f64x2.add (v128.load (local.get $cc)) (local.get $c00)))
              (v128.store offset=16 (local.get $cc) (f64x2.add (v128.load offset=16 (local.get $cc)) (local.get $c01)))
              (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
              (v128.store (local.get $cc) (f64x2.add (v128.load (local.get $cc)) (local.get $c10)))
              (v128.store offset=16 (local.get $cc) (f64x2.add (v128.load offset=16 (local.get $cc)) (local.get $c11)))
              (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
              (v128.store (local.get $cc) (f64x2.add (v128.load (local.get $cc)) (local.get $c20)))
              (v128.store offset=16 (local.get $cc) (f64x2.add (v128.load offset=16 (local.get $cc)) (local.get $c21)))
              (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
              (v128.store (local.get $cc) (f64x2.add (v128.load (local.get $cc)) (local.get $c30)))
              (v128.store offset=16 (local.get $cc) (f64x2.add (v128.load offset=16 (local.get $cc)) (local.get $c31)))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tiles)))
      (br_if $strips (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (local.get $ns)))))

  ;; min(max(x, 0), hi)
  (func $clamp (param $x i32) (param $hi i32) (result i32)
    (if (i32.lt_s (local.get $x) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.gt_s (local.get $x) (local.get $hi)) (then (return (local.get $hi))))
    (local.get $x))

  ;; Row `ra` of symv from column offset o (bytes) up to its diagonal at oi: returns s + Σ A·v over those
  ;; columns (diagonal included) and adds A[row][j]·v[row] to y[j] for the columns left of the diagonal.
  (func $rowTail (param $ra i32) (param $o i32) (param $oi i32) (param $v i32) (param $y i32) (param $s f64) (result f64)
    (local $x f64) (local $vi f64)
    (local.set $vi (f64.load (i32.add (local.get $v) (local.get $oi))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $oi)))
        (local.set $x (f64.load (i32.add (local.get $ra) (local.get $o))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (f64.load (i32.add (local.get $v) (local.get $o))))))
        (f64.store (i32.add (local.get $y) (local.get $o))
          (f64.add (f64.load (i32.add (local.get $y) (local.get $o))) (f64.mul (local.get $x) (local.get $vi))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $l)))
    (f64.add (local.get $s) (f64.mul (f64.load (i32.add (local.get $ra) (local.get $oi))) (local.get $vi))))

  (func (export "symv") (param $a i32) (param $ldb i32) (param $i0 i32) (param $n i32) (param $js i32)
                        (param $v i32) (param $y i32)
    (local $i i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $o i32) (local $pairEnd i32) (local $oi i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $vv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f64)
    (local.set $i (local.get $i0))
    (block $quadsDone
      (loop $rows
        (br_if $quadsDone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $r0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ldb))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $ldb)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $ldb)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $ldb)))
        (local.set $oi (i32.shl (local.get $i) (i32.const 3)))
        (local.set $w0 (v128.load64_splat (i32.add (local.get $v) (local.get $oi))))
        (local.set $w1 (v128.load64_splat offset=8 (i32.add (local.get $v) (local.get $oi))))
        (local.set $w2 (v128.load64_splat offset=16 (i32.add (local.get $v) (local.get $oi))))
        (local.set $w3 (v128.load64_splat offset=24 (i32.add (local.get $v) (local.get $oi))))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $acc2 (v128.const i64x2 0 0))
        (local.set $acc3 (v128.const i64x2 0 0))
        (local.set $o (i32.shl (local.get $js) (i32.const 3)))
        (local.set $pairEnd (i32.shl
          (i32.add (local.get $js) (i32.and (i32.sub (local.get $i) (local.get $js)) (i32.const -2))) (i32.const 3)))
        (if (i32.lt_u (local.get $o) (local.get $pairEnd))
          (then
            (loop $cols
              (local.set $vv (v128.load (i32.add (local.get $v) (local.get $o))))
              (local.set $a0 (v128.load (i32.add (local.get $r0) (local.get $o))))
              (local.set $a1 (v128.load (i32.add (local.get $r1) (local.get $o))))
              (local.set $a2 (v128.load (i32.add (local.get $r2) (local.get $o))))
              (local.set $a3 (v128.load (i32.add (local.get $r3) (local.get $o))))
              (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $a0) (local.get $vv))))
              (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $a1) (local.get $vv))))
              (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $a2) (local.get $vv))))
              (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $a3) (local.get $vv))))
              (v128.store (i32.add (local.get $y) (local.get $o))
                (f64x2.add (v128.load (i32.add (local.get $y) (local.get $o)))
                  (f64x2.add
                    (f64x2.add (f64x2.mul (local.get $a0) (local.get $w0)) (f64x2.mul (local.get $a1) (local.get $w1)))
                    (f64x2.add (f64x2.mul (local.get $a2) (local.get $w2)) (f64x2.mul (local.get $a3) (local.get $w3))))))
              (br_if $cols (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $pairEnd))))))
        ;; Tails: columns pairEnd .. row − 1 and the diagonal, row by row.
        (local.set $s (call $rowTail (local.get $r0) (local.get $pairEnd) (local.get $oi) (local.get $v) (local.get $y)
          (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
        (f64.store (i32.add (local.get $y) (local.get $oi)) (f64.add (f64.load (i32.add (local.get $y) (local.get $oi))) (local.get $s)))
        (local.set $oi (i32.add (local.get $oi) (i32.const 8)))
        (local.set $s (call $rowTail (local.get $r1) (local.get $pairEnd) (local.get $oi) (local.get $v) (local.get $y)
          (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))
        (f64.store (i32.add (local.get $y) (local.get $oi)) (f64.add (f64.load (i32.add (local.get $y) (local.get $oi))) (local.get $s)))
        (local.set $oi (i32.add (local.get $oi) (i32.const 8)))
        (local.set $s (call $rowTail (local.get $r2) (local.get $pairEnd) (local.get $oi) (local.get $v) (local.get $y)
          (f64.add (f64x2.extract_lane 0 (local.get $acc2)) (f64x2.extract_lane 1 (local.get $acc2)))))
        (f64.store (i32.add (local.get $y) (local.get $oi)) (f64.add (f64.load (i32.add (local.get $y) (local.get $oi))) (local.get $s)))
        (local.set $oi (i32.add (local.get $oi) (i32.const 8)))
        (local.set $s (call $rowTail (local.get $r3) (local.get $pairEnd) (local.get $oi) (local.get $v) (local.get $y)
          (f64.add (f64x2.extract_lane 0 (local.get $acc3)) (f64x2.extract_lane 1 (local.get $acc3)))))
        (f64.store (i32.add (local.get $y) (local.get $oi)) (f64.add (f64.load (i32.add (local.get $y) (local.get $oi))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    ;; Up to 3 rows left: one at a time.
    (block $done
      (loop $single
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $r0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ldb))))
        (local.set $oi (i32.shl (local.get $i) (i32.const 3)))
        (local.set $w0 (v128.load64_splat (i32.add (local.get $v) (local.get $oi))))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $o (i32.shl (local.get $js) (i32.const 3)))
        (local.set $pairEnd (i32.shl
          (i32.add (local.get $js) (i32.and (i32.sub (local.get $i) (local.get $js)) (i32.const -2))) (i32.const 3)))
        (if (i32.lt_u (local.get $o) (local.get $pairEnd))
          (then
            (loop $cols1
              (local.set $a0 (v128.load (i32.add (local.get $r0) (local.get $o))))
              (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $a0) (v128.load (i32.add (local.get $v) (local.get $o))))))
              (v128.store (i32.add (local.get $y) (local.get $o))
                (f64x2.add (v128.load (i32.add (local.get $y) (local.get $o))) (f64x2.mul (local.get $a0) (local.get $w0))))
              (br_if $cols1 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $pairEnd))))))
        (local.set $s (call $rowTail (local.get $r0) (local.get $pairEnd) (local.get $oi) (local.get $v) (local.get $y)
          (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
        (f64.store (i32.add (local.get $y) (local.get $oi)) (f64.add (f64.load (i32.add (local.get $y) (local.get $oi))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $single))))

  (func (export "rowsDot") (param $a i32) (param $lda i32) (param $rows i32) (param $x i32) (param $len i32)
                           (param $y i32) (param $ystride i32) (param $div f64)
    (local $i i32) (local $ra i32) (local $rb i32) (local $o i32) (local $pairEnd i32) (local $lenB i32)
    (local $acc0 v128) (local $acc1 v128) (local $xv v128) (local $s0 f64) (local $s1 f64) (local $xs f64)
    (local.set $lenB (i32.shl (local.get $len) (i32.const 3)))
    (local.set $pairEnd (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $rows)))
        (local.set $ra (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $rb (i32.add (local.get $ra) (local.get $lda)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $o (i32.const 0))
        (if (i32.lt_u (local.get $o) (local.get $pairEnd))
          (then
            (loop $q
              (local.set $xv (v128.load (i32.add (local.get $x) (local.get $o))))
              (local.set $acc0 (f64x2.add (local.get $acc0)
                (f64x2.mul (v128.load (i32.add (local.get $ra) (local.get $o))) (local.get $xv))))
              (local.set $acc1 (f64x2.add (local.get $acc1)
                (f64x2.mul (v128.load (i32.add (local.get $rb) (local.get $o))) (local.get $xv))))
              (br_if $q (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $pairEnd))))))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))))
        (if (i32.lt_u (local.get $pairEnd) (local.get $lenB))
          (then
            (local.set $xs (f64.load (i32.add (local.get $x) (local.get $pairEnd))))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $ra) (local.get $pairEnd))) (local.get $xs))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $rb) (local.get $pairEnd))) (local.get $xs))))))
        (local.set $o (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $ystride))))
        (f64.store (local.get $o) (f64.div (f64.sub (f64.load (local.get $o)) (local.get $s0)) (local.get $div)))
        (local.set $o (i32.add (local.get $o) (local.get $ystride)))
        (f64.store (local.get $o) (f64.div (f64.sub (f64.load (local.get $o)) (local.get $s1)) (local.get $div)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_s (local.get $i) (local.get $rows))
      (then
        (local.set $ra (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $o (i32.const 0))
        (if (i32.lt_u (local.get $o) (local.get $pairEnd))
          (then
            (loop $q1
              (local.set $acc0 (f64x2.add (local.get $acc0)
                (f64x2.mul (v128.load (i32.add (local.get $ra) (local.get $o))) (v128.load (i32.add (local.get $x) (local.get $o))))))
              (br_if $q1 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $pairEnd))))))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (if (i32.lt_u (local.get $pairEnd) (local.get $lenB))
          (then
            (local.set $s0 (f64.add (local.get $s0)
              (f64.mul (f64.load (i32.add (local.get $ra) (local.get $pairEnd))) (f64.load (i32.add (local.get $x) (local.get $pairEnd))))))))
        (local.set $o (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $ystride))))
        (f64.store (local.get $o) (f64.div (f64.sub (f64.load (local.get $o)) (local.get $s0)) (local.get $div))))))

  (func (export "colsAxpy") (param $a i32) (param $lda i32) (param $rows i32) (param $v i32) (param $len i32) (param $z i32)
    (local $i i32) (local $ra i32) (local $rb i32) (local $o i32) (local $lenB i32) (local $v0 v128) (local $v1 v128)
    (if (i32.le_s (local.get $len) (i32.const 0)) (then (return)))
    (local.set $lenB (i32.shl (local.get $len) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $rows)))
        (local.set $ra (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $rb (i32.add (local.get $ra) (local.get $lda)))
        (local.set $v0 (v128.load64_splat (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $v1 (v128.load64_splat offset=8 (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $o (i32.const 0))
        (loop $q
          (v128.store (i32.add (local.get $z) (local.get $o))
            (f64x2.add (v128.load (i32.add (local.get $z) (local.get $o)))
              (f64x2.add (f64x2.mul (v128.load (i32.add (local.get $ra) (local.get $o))) (local.get $v0))
                         (f64x2.mul (v128.load (i32.add (local.get $rb) (local.get $o))) (local.get $v1)))))
          (br_if $q (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $lenB))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_s (local.get $i) (local.get $rows))
      (then
        (local.set $ra (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $v0 (v128.load64_splat (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $o (i32.const 0))
        (loop $q1
          (v128.store (i32.add (local.get $z) (local.get $o))
            (f64x2.add (v128.load (i32.add (local.get $z) (local.get $o)))
              (f64x2.mul (v128.load (i32.add (local.get $ra) (local.get $o))) (local.get $v0))))
          (br_if $q1 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $lenB)))))))
)
