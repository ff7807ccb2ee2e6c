;; libvmaf's integer VIF statistic of scale 0 for 8-bit samples in WebAssembly SIMD: the same numbers as
;; statistic() in src-main/kernels/vmaf/integer-vif.ts (the TypeScript reference) for scale 0 at 8 bits,
;; exactly (every quantity is an integer; the few float operations are the same IEEE binary64 ones).
;;
;; Why 32-bit lanes are exact (8-bit samples, the 17-tap Q16 filter whose taps sum to 65536):
;; - vertical pass: sum c*r < 255*65536 < 2^24; sum c*r^2 <= 65025*65536 < 2^32, so the wrapping i32x4
;;   sums, read as unsigned, are the exact values (libvmaf keeps them in uint32 too); mu is rounded by 8
;;   bits (the bit depth), the squares are kept unshifted (shift 2*(bpc-8) = 0);
;; - horizontal pass: sum c*mu < 65280*65536 < 2^32 (exact in u32); the squares' sums reach 2^48, so each
;;   row of squares is stored split in 16-bit halves (lo, hi): sum c*lo and sum c*hi are each below 2^32,
;;   and (sum c*t + 2^15) >> 16 = sum c*hi + ((sum c*lo + 2^15) >> 16), taken mod 2^32 as libvmaf's
;;   uint32_t cast (and the TypeScript `>>> 0`) does;
;; - the per-pixel statistic is scalar: 64-bit products for the rounded high words, log2 through the same
;;   2048-steps table (copied into the memory by the loader), g and sv_sq in binary64 as in the reference.
;;
;; Memory (byte addresses):
;;   RES        4 float64 after vif0(): numLog, denLog, numNonLog, denNonLog (exact integers < 2^53)
;;   COEF       9 v128: the filter taps splatted, centre first (COEF + 16*k = tap 8-k)
;;   LOG2       the log2 table, 65536 uint16
;;   WORK       8 horizontal rows (mu1, mu2, ref^2 lo/hi, dis^2 lo/hi, ref*dis lo/hi) and 5 output rows
;;              (mu1, mu2, xx, yy, xy), each RW int32 with RW = (w + 27) & ~3, PADC columns of mirror left
;;   refBase, disBase (given): the two 8-bit pictures as uint16, PADC mirrored rows above and below,
;;              stride w, readable 16 bytes past the end.

;;#define RES 0
;;#define COEF 64
;;#define LOG2 256
;;#define WORK (LOG2 + 131072)
;;#define PADC 8
;;#define ROWS 13

(module
  (import "env" "mem" (memory 1))

  (func $log2f (param $v i64) (result i64)
    (local $k i32)
    (local.set $k (i32.sub (i32.const 48) (i32.wrap_i64 (i64.clz (local.get $v)))))
    (i64.add
      (i64.load16_u offset={{LOG2}}
        (i32.shl (i32.wrap_i64 (i64.shr_u (local.get $v) (i64.extend_i32_u (local.get $k)))) (i32.const 1)))
      (i64.extend_i32_u (i32.mul (local.get $k) (i32.const 2048)))))

  ;; Mirror PADC int32 columns on each side of a row of w values starting at column PADC.
  (func $padRow (param $base i32) (param $w i32)
    (local $f i32)
    (local.set $f (i32.const 1))
    (loop $l
      (i32.store
        (i32.add (local.get $base) (i32.shl (i32.sub (i32.const {{PADC}}) (local.get $f)) (i32.const 2)))
        (i32.load (i32.add (local.get $base) (i32.shl (i32.add (i32.const {{PADC}}) (local.get $f)) (i32.const 2)))))
      (i32.store
        (i32.add (local.get $base) (i32.shl (i32.add (i32.add (i32.const {{PADC - 1}}) (local.get $w)) (local.get $f)) (i32.const 2)))
        (i32.load (i32.add (local.get $base) (i32.shl (i32.sub (i32.add (i32.const {{PADC - 1}}) (local.get $w)) (local.get $f)) (i32.const 2)))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br_if $l (i32.le_s (local.get $f) (i32.const {{PADC}})))))

  (func (export "vif0") (param $w i32) (param $h i32) (param $refBase i32) (param $disBase i32) (param $egl f64) (param $eps f64)
    (local $rowB i32) (local $sB i32) (local $i i32) (local $j i32) (local $k i32) (local $t i32)
    (local $pr i32) (local $pd i32) (local $pa i32) (local $pb i32) (local $qa i32) (local $qb i32)
    (local $a i32) (local $b i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $t4 i32) (local $t5 i32) (local $t6 i32) (local $t7 i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32)
    (local $c v128) (local $ra v128) (local $rb v128) (local $da v128) (local $db v128)
    (local $m1 v128) (local $m2 v128) (local $rr v128) (local $dd v128) (local $rd v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128) (local $h4 v128) (local $h5 v128) (local $h6 v128) (local $h7 v128)
    (local $mask v128) (local $r15 v128) (local $r128 v128)
    (local $mu1 i64) (local $mu2 i64) (local $s1 i32) (local $s2 i32) (local $s12 i32) (local $g f64) (local $sv i32) (local $n1 i64)
    (local $numLog i64) (local $denLog i64) (local $numNon i64) (local $denNon i64)
    (local.set $rowB (i32.shl (i32.and (i32.add (local.get $w) (i32.const 27)) (i32.const -4)) (i32.const 2)))
    (local.set $t0 (i32.const {{WORK}}))
    (local.set $t1 (i32.add (local.get $t0) (local.get $rowB)))
    (local.set $t2 (i32.add (local.get $t1) (local.get $rowB)))
    (local.set $t3 (i32.add (local.get $t2) (local.get $rowB)))
    (local.set $t4 (i32.add (local.get $t3) (local.get $rowB)))
    (local.set $t5 (i32.add (local.get $t4) (local.get $rowB)))
    (local.set $t6 (i32.add (local.get $t5) (local.get $rowB)))
    (local.set $t7 (i32.add (local.get $t6) (local.get $rowB)))
    (local.set $o0 (i32.add (local.get $t7) (local.get $rowB)))
    (local.set $o1 (i32.add (local.get $o0) (local.get $rowB)))
    (local.set $o2 (i32.add (local.get $o1) (local.get $rowB)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $rowB)))
    (local.set $o4 (i32.add (local.get $o3) (local.get $rowB)))
    (local.set $sB (i32.shl (local.get $w) (i32.const 1)))
    (local.set $mask (i32x4.splat (i32.const 0xffff)))
    (local.set $r15 (i32x4.splat (i32.const 32768)))
    (local.set $r128 (i32x4.splat (i32.const 128)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $h)))
      ;; ---- vertical pass: output row i from padded rows i .. i+16 (centre i+8)
      (local.set $pr (i32.add (local.get $refBase) (i32.mul (i32.add (local.get $i) (i32.const {{PADC}})) (local.get $sB))))
      (local.set $pd (i32.add (local.get $disBase) (i32.mul (i32.add (local.get $i) (i32.const {{PADC}})) (local.get $sB))))
      (local.set $j (i32.const 0))
      (block $vDone (loop $v
        (br_if $vDone (i32.ge_s (local.get $j) (local.get $w)))
        (local.set $c (v128.load offset={{COEF}} (i32.const 0)))
        (local.set $ra (v128.load16x4_u (local.get $pr)))
        (local.set $da (v128.load16x4_u (local.get $pd)))
        (local.set $m1 (i32x4.mul (local.get $c) (local.get $ra)))
        (local.set $m2 (i32x4.mul (local.get $c) (local.get $da)))
        (local.set $rr (i32x4.mul (local.get $c) (i32x4.mul (local.get $ra) (local.get $ra))))
        (local.set $dd (i32x4.mul (local.get $c) (i32x4.mul (local.get $da) (local.get $da))))
        (local.set $rd (i32x4.mul (local.get $c) (i32x4.mul (local.get $ra) (local.get $da))))
        (local.set $pa (local.get $pr))
        (local.set $pb (local.get $pr))
        (local.set $qa (local.get $pd))
        (local.set $qb (local.get $pd))
        (local.set $k (i32.const 16))
        (loop $taps
          (local.set $pa (i32.sub (local.get $pa) (local.get $sB)))
          (local.set $pb (i32.add (local.get $pb) (local.get $sB)))
          (local.set $qa (i32.sub (local.get $qa) (local.get $sB)))
          (local.set $qb (i32.add (local.get $qb) (local.get $sB)))
          (local.set $c (v128.load offset={{COEF}} (local.get $k)))
          (local.set $ra (v128.load16x4_u (local.get $pa)))
          (local.set $rb (v128.load16x4_u (local.get $pb)))
          (local.set $da (v128.load16x4_u (local.get $qa)))
          (local.set $db (v128.load16x4_u (local.get $qb)))
          (local.set $m1 (i32x4.add (local.get $m1) (i32x4.mul (local.get $c) (i32x4.add (local.get $ra) (local.get $rb)))))
          (local.set $m2 (i32x4.add (local.get $m2) (i32x4.mul (local.get $c) (i32x4.add (local.get $da) (local.get $db)))))
          (local.set $rr (i32x4.add (local.get $rr) (i32x4.mul (local.get $c)
            (i32x4.add (i32x4.mul (local.get $ra) (local.get $ra)) (i32x4.mul (local.get $rb) (local.get $rb))))))
          (local.set $dd (i32x4.add (local.get $dd) (i32x4.mul (local.get $c)
            (i32x4.add (i32x4.mul (local.get $da) (local.get $da)) (i32x4.mul (local.get $db) (local.get $db))))))
          (local.set $rd (i32x4.add (local.get $rd) (i32x4.mul (local.get $c)
            (i32x4.add (i32x4.mul (local.get $ra) (local.get $da)) (i32x4.mul (local.get $rb) (local.get $db))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $taps (i32.le_u (local.get $k) (i32.const 128))))
        (local.set $t (i32.shl (i32.add (local.get $j) (i32.const {{PADC}})) (i32.const 2)))
        (v128.store (i32.add (local.get $t0) (local.get $t)) (i32x4.shr_u (i32x4.add (local.get $m1) (local.get $r128)) (i32.const 8)))
        (v128.store (i32.add (local.get $t1) (local.get $t)) (i32x4.shr_u (i32x4.add (local.get $m2) (local.get $r128)) (i32.const 8)))
        (v128.store (i32.add (local.get $t2) (local.get $t)) (v128.and (local.get $rr) (local.get $mask)))
        (v128.store (i32.add (local.get $t3) (local.get $t)) (i32x4.shr_u (local.get $rr) (i32.const 16)))
        (v128.store (i32.add (local.get $t4) (local.get $t)) (v128.and (local.get $dd) (local.get $mask)))
        (v128.store (i32.add (local.get $t5) (local.get $t)) (i32x4.shr_u (local.get $dd) (i32.const 16)))
        (v128.store (i32.add (local.get $t6) (local.get $t)) (v128.and (local.get $rd) (local.get $mask)))
        (v128.store (i32.add (local.get $t7) (local.get $t)) (i32x4.shr_u (local.get $rd) (i32.const 16)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 8)))
        (local.set $pd (i32.add (local.get $pd) (i32.const 8)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $v)))
      (call $padRow (local.get $t0) (local.get $w))
      (call $padRow (local.get $t1) (local.get $w))
      (call $padRow (local.get $t2) (local.get $w))
      (call $padRow (local.get $t3) (local.get $w))
      (call $padRow (local.get $t4) (local.get $w))
      (call $padRow (local.get $t5) (local.get $w))
      (call $padRow (local.get $t6) (local.get $w))
      (call $padRow (local.get $t7) (local.get $w))
      ;; ---- horizontal pass
      (local.set $j (i32.const 0))
      (block $hDone (loop $hz
        (br_if $hDone (i32.ge_s (local.get $j) (local.get $w)))
        (local.set $t (i32.shl (i32.add (local.get $j) (i32.const {{PADC}})) (i32.const 2)))
        (local.set $c (v128.load offset={{COEF}} (i32.const 0)))
        (local.set $h0 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t0) (local.get $t)))))
        (local.set $h1 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t1) (local.get $t)))))
        (local.set $h2 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t2) (local.get $t)))))
        (local.set $h3 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t3) (local.get $t)))))
        (local.set $h4 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t4) (local.get $t)))))
        (local.set $h5 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t5) (local.get $t)))))
        (local.set $h6 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t6) (local.get $t)))))
        (local.set $h7 (i32x4.mul (local.get $c) (v128.load (i32.add (local.get $t7) (local.get $t)))))
        (local.set $a (local.get $t))
        (local.set $b (local.get $t))
        (local.set $k (i32.const 16))
        (loop $htaps
          (local.set $a (i32.sub (local.get $a) (i32.const 4)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (local.set $c (v128.load offset={{COEF}} (local.get $k)))
          (local.set $h0 (i32x4.add (local.get $h0) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t0) (local.get $a))) (v128.load (i32.add (local.get $t0) (local.get $b)))))))
          (local.set $h1 (i32x4.add (local.get $h1) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t1) (local.get $a))) (v128.load (i32.add (local.get $t1) (local.get $b)))))))
          (local.set $h2 (i32x4.add (local.get $h2) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t2) (local.get $a))) (v128.load (i32.add (local.get $t2) (local.get $b)))))))
          (local.set $h3 (i32x4.add (local.get $h3) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t3) (local.get $a))) (v128.load (i32.add (local.get $t3) (local.get $b)))))))
          (local.set $h4 (i32x4.add (local.get $h4) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t4) (local.get $a))) (v128.load (i32.add (local.get $t4) (local.get $b)))))))
          (local.set $h5 (i32x4.add (local.get $h5) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t5) (local.get $a))) (v128.load (i32.add (local.get $t5) (local.get $b)))))))
          (local.set $h6 (i32x4.add (local.get $h6) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t6) (local.get $a))) (v128.load (i32.add (local.get $t6) (local.get $b)))))))
          (local.set $h7 (i32x4.add (local.get $h7) (i32x4.mul (local.get $c) (i32x4.add
            (v128.load (i32.add (local.get $t7) (local.get $a))) (v128.load (i32.add (local.get $t7) (local.get $b)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $htaps (i32.le_u (local.get $k) (i32.const 128))))
        (local.set $t (i32.shl (local.get $j) (i32.const 2)))
        (v128.store (i32.add (local.get $o0) (local.get $t)) (local.get $h0))
        (v128.store (i32.add (local.get $o1) (local.get $t)) (local.get $h1))
        (v128.store (i32.add (local.get $o2) (local.get $t))
          (i32x4.add (local.get $h3) (i32x4.shr_u (i32x4.add (local.get $h2) (local.get $r15)) (i32.const 16))))
        (v128.store (i32.add (local.get $o3) (local.get $t))
          (i32x4.add (local.get $h5) (i32x4.shr_u (i32x4.add (local.get $h4) (local.get $r15)) (i32.const 16))))
        (v128.store (i32.add (local.get $o4) (local.get $t))
          (i32x4.add (local.get $h7) (i32x4.shr_u (i32x4.add (local.get $h6) (local.get $r15)) (i32.const 16))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $hz)))
      ;; ---- statistic, scalar
      (local.set $j (i32.const 0))
      (block $sDone (loop $st
        (br_if $sDone (i32.ge_s (local.get $j) (local.get $w)))
        (local.set $t (i32.shl (local.get $j) (i32.const 2)))
        (local.set $mu1 (i64.extend_i32_u (i32.load (i32.add (local.get $o0) (local.get $t)))))
        (local.set $mu2 (i64.extend_i32_u (i32.load (i32.add (local.get $o1) (local.get $t)))))
        (local.set $s1 (i32.sub (i32.load (i32.add (local.get $o2) (local.get $t)))
          (i32.wrap_i64 (i64.shr_u (i64.add (i64.mul (local.get $mu1) (local.get $mu1)) (i64.const 2147483648)) (i64.const 32)))))
        (local.set $s2 (i32.sub (i32.load (i32.add (local.get $o3) (local.get $t)))
          (i32.wrap_i64 (i64.shr_u (i64.add (i64.mul (local.get $mu2) (local.get $mu2)) (i64.const 2147483648)) (i64.const 32)))))
        (local.set $s12 (i32.sub (i32.load (i32.add (local.get $o4) (local.get $t)))
          (i32.wrap_i64 (i64.shr_u (i64.add (i64.mul (local.get $mu1) (local.get $mu2)) (i64.const 2147483648)) (i64.const 32)))))
        (if (i32.lt_s (local.get $s2) (i32.const 0)) (then (local.set $s2 (i32.const 0))))
        (if (i32.ge_s (local.get $s1) (i32.const 131072))
          (then
            (local.set $denLog (i64.add (local.get $denLog)
              (i64.sub (call $log2f (i64.add (i64.extend_i32_s (local.get $s1)) (i64.const 131072))) (i64.const 34816))))
            (if (i32.and (i32.gt_s (local.get $s12) (i32.const 0)) (i32.gt_s (local.get $s2) (i32.const 0)))
              (then
                (local.set $g (f64.div (f64.convert_i32_s (local.get $s12)) (f64.add (f64.convert_i32_s (local.get $s1)) (local.get $eps))))
                (local.set $sv (i32.trunc_sat_f64_s
                  (f64.sub (f64.convert_i32_s (local.get $s2)) (f64.mul (local.get $g) (f64.convert_i32_s (local.get $s12))))))
                (if (i32.lt_s (local.get $sv) (i32.const 0)) (then (local.set $sv (i32.const 0))))
                (if (f64.gt (local.get $g) (local.get $egl)) (then (local.set $g (local.get $egl))))
                (local.set $n1 (i64.add (i64.extend_i32_s (local.get $sv)) (i64.const 131072)))
                (local.set $numLog (i64.add (local.get $numLog)
                  (i64.sub
                    (call $log2f (i64.add
                      (i64.trunc_sat_f64_s (f64.mul (f64.mul (local.get $g) (local.get $g)) (f64.convert_i32_s (local.get $s1))))
                      (local.get $n1)))
                    (call $log2f (local.get $n1))))))))
          (else
            (local.set $numNon (i64.add (local.get $numNon) (i64.extend_i32_s (local.get $s2))))
            (local.set $denNon (i64.add (local.get $denNon) (i64.const 1)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $st)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (f64.store offset={{RES}} (i32.const 0) (f64.convert_i64_s (local.get $numLog)))
    (f64.store offset={{RES + 8}} (i32.const 0) (f64.convert_i64_s (local.get $denLog)))
    (f64.store offset={{RES + 16}} (i32.const 0) (f64.convert_i64_s (local.get $numNon)))
    (f64.store offset={{RES + 24}} (i32.const 0) (f64.convert_i64_s (local.get $denNon))))
)
