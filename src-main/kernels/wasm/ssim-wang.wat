;; Wang SSIM / MS-SSIM engine in WebAssembly SIMD: the same computation as runSsim() in
;; src-main/kernels/metrics/ssim-core.ts (the TypeScript reference), bit for bit.
;;
;; Why the results are identical: every output sample is computed with exactly the operations of the
;; scalar float64 code, in the same order (the 11-tap sums g0*t5 + g1*(t4+t6) + ... + g5*(t0+t10) left to
;; right, x*x + y*y, the SSIM formula, each row's sum left to right from 0, then the rows in order). SIMD
;; only computes two neighbouring output columns at once (f64x2, one lane each); wasm float operations are
;; IEEE binary64 with round-to-nearest and never fused, like JavaScript's.
;;
;; Work order: the image is processed in vertical strips of S output columns (so the 16-row rings of the
;; four filtered quantities stay in L2); within a strip, input rows are converted to float64 (padded with
;; the half-sample mirror for the 'full' map), filtered horizontally into the rings, and every 4 output rows
;; are filtered vertically from 14 ring rows, run through the SSIM formula, added to their row's running
;; sum (which continues from strip to strip, so each row is still summed left to right) and written to the
;; map. Each horizontal output is stored twice (ring slot s and s + 16), so the 14 rows a vertical step needs
;; are always 14 consecutive slots at constant distances: every filter loop addresses memory through one
;; moving pointer plus constant offsets. Blocks that need mirrored/clamped rows (top and bottom) copy their
;; 14 rows into an edge window first.
;;
;; Memory (all byte addresses given by the caller; `work` is WORK bytes, 16-aligned):
;;   work + q*RSB            q = 0..3: converted row x, row y, x*x + y*y, x*y (RS float64 each)
;;   work + RING + q*QS      ring of quantity q (mu_x, mu_y, E[x^2 + y^2], E[xy]): 32 slots of RS float64
;;   work + EDGE + q*ES      edge window of quantity q: 14 slots
;;   work + VB + (4q+i)*RSB  vertical outputs, quantity q, block row i
;;   work + VB + (16+i)*RSB  SSIM of block row i;  work + VB + (20+i)*RSB  cs of block row i
;;   rowSums, csSums         one float64 per input row: the running row sums
;;   xBase, yBase            the two planes, packed (stride = width), samples of type 0 u8, 1 u16, 2 f32, 3 f64
;;                           (the type code is log2 of the sample size), readable 64 bytes past the end
;;   map                     the packed map, float32 (mapType 1) or float64 (mapType 2)
;;   address 0               the cs total (float64) after run()
;;
;; Also exported: down2 (MS-SSIM's 2x2 mean) and boxDown (ssim.m's f x f box downsampling), the same float64
;; operations as image/downsample.ts, so MS-SSIM scales and 'matlab-auto' stay inside this memory.

;;#define S 256
;;#define RS (S + 24)
;;#define RSB (RS * 8)
;;#define QS (32 * RSB)
;;#define ES (16 * RSB)
;;#define RING (4 * RSB)
;;#define EDGE (RING + 4 * QS)
;;#define VB (EDGE + 4 * ES)
;;#define WORK (VB + 24 * RSB)

(module
  (import "env" "mem" (memory 1))

  ;; The half kernel g0 (centre) .. g5, set once per instance.
  (global $w0 (mut f64) (f64.const 0))
  (global $w1 (mut f64) (f64.const 0))
  (global $w2 (mut f64) (f64.const 0))
  (global $w3 (mut f64) (f64.const 0))
  (global $w4 (mut f64) (f64.const 0))
  (global $w5 (mut f64) (f64.const 0))

  (func (export "setWeights") (param $g0 f64) (param $g1 f64) (param $g2 f64) (param $g3 f64) (param $g4 f64) (param $g5 f64)
    (global.set $w0 (local.get $g0))
    (global.set $w1 (local.get $g1))
    (global.set $w2 (local.get $g2))
    (global.set $w3 (local.get $g3))
    (global.set $w4 (local.get $g4))
    (global.set $w5 (local.get $g5)))

  ;; `count` samples of type `type` at `src` to float64 at `dst`. Converts in steps of 8 (u8, u16), 4 (f32)
  ;; or 2 (f64) samples: may read up to 7 samples past the run and write up to 7 float64 past it.
  (func $convert (param $src i32) (param $type i32) (param $dst i32) (param $count i32)
    (local $end i32) (local $v v128) (local $lo v128) (local $hi v128)
    (if (i32.le_s (local.get $count) (i32.const 0)) (then (return)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 3))))
    (block $f64
      (block $f32
        (block $u16
          (block $u8
            (br_table $u8 $u16 $f32 $f64 (local.get $type)))
          ;; u8
          (loop $l
            (local.set $v (v128.load8x8_u (local.get $src)))
            (local.set $lo (i32x4.extend_low_i16x8_u (local.get $v)))
            (local.set $hi (i32x4.extend_high_i16x8_u (local.get $v)))
            (v128.store (local.get $dst) (f64x2.convert_low_i32x4_s (local.get $lo)))
            (v128.store offset=16 (local.get $dst) (f64x2.convert_low_i32x4_s
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))
            (v128.store offset=32 (local.get $dst) (f64x2.convert_low_i32x4_s (local.get $hi)))
            (v128.store offset=48 (local.get $dst) (f64x2.convert_low_i32x4_s
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
            (br_if $l (i32.lt_u (local.get $dst) (local.get $end))))
          (return))
        ;; u16
        (loop $l
          (local.set $v (v128.load (local.get $src)))
          (local.set $lo (i32x4.extend_low_i16x8_u (local.get $v)))
          (local.set $hi (i32x4.extend_high_i16x8_u (local.get $v)))
          (v128.store (local.get $dst) (f64x2.convert_low_i32x4_s (local.get $lo)))
          (v128.store offset=16 (local.get $dst) (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))
          (v128.store offset=32 (local.get $dst) (f64x2.convert_low_i32x4_s (local.get $hi)))
          (v128.store offset=48 (local.get $dst) (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
          (br_if $l (i32.lt_u (local.get $dst) (local.get $end))))
        (return))
      ;; f32 (promotion is exact)
      (loop $l
        (local.set $v (v128.load (local.get $src)))
        (v128.store (local.get $dst) (f64x2.promote_low_f32x4 (local.get $v)))
        (v128.store offset=16 (local.get $dst) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br_if $l (i32.lt_u (local.get $dst) (local.get $end))))
      (return))
    ;; f64
    (loop $l
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $dst) (local.get $end)))))

  ;; Rows 2 and 3 of the row block at `p`: x*x + y*y and x*y of rows 0 (x) and 1 (y), `count` samples
  ;; (in pairs: one past an odd count).
  (func $prep (param $p i32) (param $count i32)
    (local $end i32) (local $x v128) (local $y v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (loop $l
      (local.set $x (v128.load (local.get $p)))
      (local.set $y (v128.load offset={{RSB}} (local.get $p)))
      (v128.store offset={{2 * RSB}} (local.get $p)
        (f64x2.add (f64x2.mul (local.get $x) (local.get $x)) (f64x2.mul (local.get $y) (local.get $y))))
      (v128.store offset={{3 * RSB}} (local.get $p) (f64x2.mul (local.get $x) (local.get $y)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))

  ;; Horizontal pass: d[j] = g0*s[j+5] + g1*(s[j+4]+s[j+6]) + ... + g5*(s[j]+s[j+10]), j = 0..n-1 (in
  ;; steps of 4: up to 3 extra outputs), stored at d and at d + 16 slots.
  (func $hfilter (param $p i32) (param $d i32) (param $n i32)
    (local $end i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $g4 v128) (local $g5 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128) (local $v5 v128)
    (local $v6 v128) (local $v7 v128) (local $v8 v128) (local $v9 v128) (local $v10 v128) (local $v11 v128)
    (local $v12 v128) (local $a v128) (local $b v128)
    (local.set $g0 (f64x2.splat (global.get $w0)))
    (local.set $g1 (f64x2.splat (global.get $w1)))
    (local.set $g2 (f64x2.splat (global.get $w2)))
    (local.set $g3 (f64x2.splat (global.get $w3)))
    (local.set $g4 (f64x2.splat (global.get $w4)))
    (local.set $g5 (f64x2.splat (global.get $w5)))
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 3))))
    (loop $l
      (local.set $v0 (v128.load (local.get $p)))
      (local.set $v1 (v128.load offset=8 (local.get $p)))
      (local.set $v2 (v128.load offset=16 (local.get $p)))
      (local.set $v3 (v128.load offset=24 (local.get $p)))
      (local.set $v4 (v128.load offset=32 (local.get $p)))
      (local.set $v5 (v128.load offset=40 (local.get $p)))
      (local.set $v6 (v128.load offset=48 (local.get $p)))
      (local.set $v7 (v128.load offset=56 (local.get $p)))
      (local.set $v8 (v128.load offset=64 (local.get $p)))
      (local.set $v9 (v128.load offset=72 (local.get $p)))
      (local.set $v10 (v128.load offset=80 (local.get $p)))
      (local.set $v11 (v128.load offset=88 (local.get $p)))
      (local.set $v12 (v128.load offset=96 (local.get $p)))
      (local.set $a
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $v5))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $v4) (local.get $v6))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $v3) (local.get $v7))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $v2) (local.get $v8))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $v1) (local.get $v9))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $v0) (local.get $v10)))))
      (local.set $b
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $v7))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $v6) (local.get $v8))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $v5) (local.get $v9))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $v4) (local.get $v10))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $v3) (local.get $v11))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $v2) (local.get $v12)))))
      (v128.store (local.get $d) (local.get $a))
      (v128.store offset=16 (local.get $d) (local.get $b))
      (v128.store offset={{16 * RSB}} (local.get $d) (local.get $a))
      (v128.store offset={{16 * RSB + 16}} (local.get $d) (local.get $b))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (local.set $d (i32.add (local.get $d) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $d) (local.get $end)))))

  ;; Vertical pass for 4 output rows: o[i*RSB + j] = sum over the 11 slots i..i+10 of the 14 consecutive
  ;; slots at p (same order as the horizontal pass), j = 0..n-1 in pairs.
  (func $vfilter (param $p i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $g4 v128) (local $g5 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128)
    (local $r6 v128) (local $r7 v128) (local $r8 v128) (local $r9 v128) (local $r10 v128) (local $r11 v128)
    (local $r12 v128) (local $r13 v128)
    (local.set $g0 (f64x2.splat (global.get $w0)))
    (local.set $g1 (f64x2.splat (global.get $w1)))
    (local.set $g2 (f64x2.splat (global.get $w2)))
    (local.set $g3 (f64x2.splat (global.get $w3)))
    (local.set $g4 (f64x2.splat (global.get $w4)))
    (local.set $g5 (f64x2.splat (global.get $w5)))
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 3))))
    (loop $l
      (local.set $r0 (v128.load (local.get $p)))
      (local.set $r1 (v128.load offset={{1 * RSB}} (local.get $p)))
      (local.set $r2 (v128.load offset={{2 * RSB}} (local.get $p)))
      (local.set $r3 (v128.load offset={{3 * RSB}} (local.get $p)))
      (local.set $r4 (v128.load offset={{4 * RSB}} (local.get $p)))
      (local.set $r5 (v128.load offset={{5 * RSB}} (local.get $p)))
      (local.set $r6 (v128.load offset={{6 * RSB}} (local.get $p)))
      (local.set $r7 (v128.load offset={{7 * RSB}} (local.get $p)))
      (local.set $r8 (v128.load offset={{8 * RSB}} (local.get $p)))
      (local.set $r9 (v128.load offset={{9 * RSB}} (local.get $p)))
      (local.set $r10 (v128.load offset={{10 * RSB}} (local.get $p)))
      (local.set $r11 (v128.load offset={{11 * RSB}} (local.get $p)))
      (local.set $r12 (v128.load offset={{12 * RSB}} (local.get $p)))
      (local.set $r13 (v128.load offset={{13 * RSB}} (local.get $p)))
      (v128.store (local.get $o)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $r5))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $r4) (local.get $r6))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $r3) (local.get $r7))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $r2) (local.get $r8))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $r1) (local.get $r9))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $r0) (local.get $r10)))))
      (v128.store offset={{RSB}} (local.get $o)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $r6))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $r5) (local.get $r7))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $r4) (local.get $r8))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $r3) (local.get $r9))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $r2) (local.get $r10))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $r1) (local.get $r11)))))
      (v128.store offset={{2 * RSB}} (local.get $o)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $r7))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $r6) (local.get $r8))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $r5) (local.get $r9))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $r4) (local.get $r10))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $r3) (local.get $r11))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $r2) (local.get $r12)))))
      (v128.store offset={{3 * RSB}} (local.get $o)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $g0) (local.get $r8))
          (f64x2.mul (local.get $g1) (f64x2.add (local.get $r7) (local.get $r9))))
          (f64x2.mul (local.get $g2) (f64x2.add (local.get $r6) (local.get $r10))))
          (f64x2.mul (local.get $g3) (f64x2.add (local.get $r5) (local.get $r11))))
          (f64x2.mul (local.get $g4) (f64x2.add (local.get $r4) (local.get $r12))))
          (f64x2.mul (local.get $g5) (f64x2.add (local.get $r3) (local.get $r13)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end)))))

  ;; SSIM (and cs) of block rows 0..rows-1 from the vertical outputs at vb, columns 0..n-1 in pairs:
  ;;   ssim = ((2 ux uy + C1)(2 (xy - ux uy) + C2)) / ((ux^2 + uy^2 + C1)(sq - (ux^2 + uy^2) + C2))
  ;;   cs = (2 (xy - ux uy) + C2) / (sq - (ux^2 + uy^2) + C2)
  ;; 2*v is written v + v (both exact, the same value).
  (func $formula (param $vb i32) (param $n i32) (param $rows i32) (param $c1 f64) (param $c2 f64) (param $wantCs i32)
    (local $C1 v128) (local $C2 v128) (local $p i32) (local $end i32) (local $i i32)
    (local $ux v128) (local $uy v128) (local $uxuy v128) (local $m v128) (local $d v128) (local $a2 v128) (local $b2 v128)
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (loop $rowsLoop
      (local.set $p (i32.add (local.get $vb) (i32.mul (local.get $i) (i32.const {{RSB}}))))
      (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
      (if (local.get $wantCs)
        (then
          (loop $l
            (local.set $ux (v128.load (local.get $p)))
            (local.set $uy (v128.load offset={{4 * RSB}} (local.get $p)))
            (local.set $uxuy (f64x2.mul (local.get $ux) (local.get $uy)))
            (local.set $m (f64x2.add (f64x2.mul (local.get $ux) (local.get $ux)) (f64x2.mul (local.get $uy) (local.get $uy))))
            (local.set $d (f64x2.sub (v128.load offset={{12 * RSB}} (local.get $p)) (local.get $uxuy)))
            (local.set $a2 (f64x2.add (f64x2.add (local.get $d) (local.get $d)) (local.get $C2)))
            (local.set $b2 (f64x2.add (f64x2.sub (v128.load offset={{8 * RSB}} (local.get $p)) (local.get $m)) (local.get $C2)))
            (v128.store offset={{16 * RSB}} (local.get $p)
              (f64x2.div
                (f64x2.mul (f64x2.add (f64x2.add (local.get $uxuy) (local.get $uxuy)) (local.get $C1)) (local.get $a2))
                (f64x2.mul (f64x2.add (local.get $m) (local.get $C1)) (local.get $b2))))
            (v128.store offset={{20 * RSB}} (local.get $p) (f64x2.div (local.get $a2) (local.get $b2)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
        (else
          (loop $l
            (local.set $ux (v128.load (local.get $p)))
            (local.set $uy (v128.load offset={{4 * RSB}} (local.get $p)))
            (local.set $uxuy (f64x2.mul (local.get $ux) (local.get $uy)))
            (local.set $m (f64x2.add (f64x2.mul (local.get $ux) (local.get $ux)) (f64x2.mul (local.get $uy) (local.get $uy))))
            (local.set $d (f64x2.sub (v128.load offset={{12 * RSB}} (local.get $p)) (local.get $uxuy)))
            (v128.store offset={{16 * RSB}} (local.get $p)
              (f64x2.div
                (f64x2.mul
                  (f64x2.add (f64x2.add (local.get $uxuy) (local.get $uxuy)) (local.get $C1))
                  (f64x2.add (f64x2.add (local.get $d) (local.get $d)) (local.get $C2)))
                (f64x2.mul
                  (f64x2.add (local.get $m) (local.get $C1))
                  (f64x2.add (f64x2.sub (v128.load offset={{8 * RSB}} (local.get $p)) (local.get $m)) (local.get $C2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $l (i32.lt_u (local.get $p) (local.get $end))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rowsLoop (i32.lt_u (local.get $i) (local.get $rows)))))

  ;; Adds `count` (>= 1) values of one block row, left to right, to the running sum at `sum` (and the cs
  ;; values, 4 rows further, to `csSum`).
  (func $sum1 (param $p i32) (param $count i32) (param $sum i32) (param $csSum i32) (param $wantCs i32)
    (local $end i32) (local $s f64) (local $c f64) (local $q i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $s (f64.load (local.get $sum)))
    (local.set $q (local.get $p))
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.load (local.get $q))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $q) (local.get $end))))
    (f64.store (local.get $sum) (local.get $s))
    (if (local.get $wantCs)
      (then
        (local.set $c (f64.load (local.get $csSum)))
        (local.set $q (local.get $p))
        (loop $l
          (local.set $c (f64.add (local.get $c) (f64.load offset={{4 * RSB}} (local.get $q))))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br_if $l (i32.lt_u (local.get $q) (local.get $end))))
        (f64.store (local.get $csSum) (local.get $c)))))

  ;; As $sum1 for the 4 block rows at once (4 independent chains; each row still left to right).
  (func $sum4 (param $p i32) (param $count i32) (param $sum i32) (param $csSum i32) (param $wantCs i32)
    (local $end i32) (local $q i32) (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $s0 (f64.load (local.get $sum)))
    (local.set $s1 (f64.load offset=8 (local.get $sum)))
    (local.set $s2 (f64.load offset=16 (local.get $sum)))
    (local.set $s3 (f64.load offset=24 (local.get $sum)))
    (local.set $q (local.get $p))
    (loop $l
      (local.set $s0 (f64.add (local.get $s0) (f64.load (local.get $q))))
      (local.set $s1 (f64.add (local.get $s1) (f64.load offset={{RSB}} (local.get $q))))
      (local.set $s2 (f64.add (local.get $s2) (f64.load offset={{2 * RSB}} (local.get $q))))
      (local.set $s3 (f64.add (local.get $s3) (f64.load offset={{3 * RSB}} (local.get $q))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $q) (local.get $end))))
    (f64.store (local.get $sum) (local.get $s0))
    (f64.store offset=8 (local.get $sum) (local.get $s1))
    (f64.store offset=16 (local.get $sum) (local.get $s2))
    (f64.store offset=24 (local.get $sum) (local.get $s3))
    (if (local.get $wantCs)
      (then
        (local.set $s0 (f64.load (local.get $csSum)))
        (local.set $s1 (f64.load offset=8 (local.get $csSum)))
        (local.set $s2 (f64.load offset=16 (local.get $csSum)))
        (local.set $s3 (f64.load offset=24 (local.get $csSum)))
        (local.set $q (local.get $p))
        (loop $l
          (local.set $s0 (f64.add (local.get $s0) (f64.load offset={{4 * RSB}} (local.get $q))))
          (local.set $s1 (f64.add (local.get $s1) (f64.load offset={{5 * RSB}} (local.get $q))))
          (local.set $s2 (f64.add (local.get $s2) (f64.load offset={{6 * RSB}} (local.get $q))))
          (local.set $s3 (f64.add (local.get $s3) (f64.load offset={{7 * RSB}} (local.get $q))))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br_if $l (i32.lt_u (local.get $q) (local.get $end))))
        (f64.store (local.get $csSum) (local.get $s0))
        (f64.store offset=8 (local.get $csSum) (local.get $s1))
        (f64.store offset=16 (local.get $csSum) (local.get $s2))
        (f64.store offset=24 (local.get $csSum) (local.get $s3)))))

  ;; n float64 at p to the map at dst: float32 (rounded to nearest, as a Float32Array store) or float64.
  ;; Writes exactly n samples.
  (func $mapRow (param $p i32) (param $dst i32) (param $n i32) (param $mapType i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (if (i32.eq (local.get $mapType) (i32.const 1))
      (then
        (block $done
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (loop $l
            (v128.store64_lane 0 (local.get $dst) (f32x4.demote_f64x2_zero (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
            (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (f32.store (local.get $dst) (f32.demote_f64 (f64.load (local.get $p)))))))
      (else
        (block $done
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (loop $l
            (v128.store (local.get $dst) (v128.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (f64.store (local.get $dst) (f64.load (local.get $p))))))))

  ;; `bytes` (a multiple of 16) from src to dst.
  (func $copy (param $src i32) (param $dst i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (local.get $bytes)))
    (loop $l
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $src) (local.get $end)))))

  ;; Converts one input row (both planes) for the strip starting at output column x0 (n outputs): padded
  ;; samples x0 .. x0+n+9 into row buffers 0 (x) and 1 (y), mirroring past the edges ('full' map).
  (func $loadRow (param $work i32) (param $xBase i32) (param $yBase i32) (param $type i32) (param $width i32)
      (param $pad i32) (param $row i32) (param $x0 i32) (param $n i32)
    (local $lo i32) (local $hi i32) (local $di i32) (local $off i32) (local $p i32) (local $end i32) (local $s i32)
    ;; source columns lo .. hi-1, converted to row index lo + pad - x0
    (local.set $lo (i32.sub (local.get $x0) (local.get $pad)))
    (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
    (local.set $hi (i32.sub (i32.add (local.get $x0) (i32.add (local.get $n) (i32.const 10))) (local.get $pad)))
    (if (i32.gt_s (local.get $hi) (local.get $width)) (then (local.set $hi (local.get $width))))
    (local.set $di (i32.add (local.get $work)
      (i32.shl (i32.sub (i32.add (local.get $lo) (local.get $pad)) (local.get $x0)) (i32.const 3))))
    (local.set $off (i32.shl (i32.add (i32.mul (local.get $row) (local.get $width)) (local.get $lo)) (local.get $type)))
    (call $convert (i32.add (local.get $xBase) (local.get $off)) (local.get $type) (local.get $di) (i32.sub (local.get $hi) (local.get $lo)))
    (call $convert (i32.add (local.get $yBase) (local.get $off)) (local.get $type) (i32.add (local.get $di) (i32.const {{RSB}}))
      (i32.sub (local.get $hi) (local.get $lo)))
    ;; left mirror: padded index p < pad (source column p - pad < 0) takes source column pad - 1 - p
    (local.set $p (local.get $x0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $p) (local.get $pad)))
        (local.set $s (i32.add (local.get $work)
          (i32.shl (i32.sub (i32.sub (i32.sub (i32.shl (local.get $pad) (i32.const 1)) (i32.const 1)) (local.get $p)) (local.get $x0)) (i32.const 3))))
        (local.set $di (i32.add (local.get $work) (i32.shl (i32.sub (local.get $p) (local.get $x0)) (i32.const 3))))
        (f64.store (local.get $di) (f64.load (local.get $s)))
        (f64.store offset={{RSB}} (local.get $di) (f64.load offset={{RSB}} (local.get $s)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l)))
    ;; right mirror: padded index p >= width + pad (source column c = p - pad >= width) takes 2*width - 1 - c
    (local.set $p (i32.add (local.get $width) (local.get $pad)))
    (if (i32.lt_s (local.get $p) (local.get $x0)) (then (local.set $p (local.get $x0))))
    (local.set $end (i32.add (local.get $x0) (i32.add (local.get $n) (i32.const 10))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $p) (local.get $end)))
        ;; index of column 2w-1-(p-pad) is 2w-1-p+2pad-x0
        (local.set $s (i32.add (local.get $work) (i32.shl
          (i32.sub (i32.add (i32.sub (i32.sub (i32.shl (local.get $width) (i32.const 1)) (i32.const 1)) (local.get $p))
            (i32.shl (local.get $pad) (i32.const 1))) (local.get $x0)) (i32.const 3))))
        (local.set $di (i32.add (local.get $work) (i32.shl (i32.sub (local.get $p) (local.get $x0)) (i32.const 3))))
        (f64.store (local.get $di) (f64.load (local.get $s)))
        (f64.store offset={{RSB}} (local.get $di) (f64.load offset={{RSB}} (local.get $s)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l))))

;; MS-SSIM's 2x2 mean (downsample2x2Mean in image/downsample.ts, bit for bit): output (i, j) of the packed
  ;; ceil(H/2) x ceil(W/2) float64 plane at dst is (a[2j] + a[2j+1] + (b[2j] + b[2j+1])) * 0.25 with a, b the
  ;; source rows 2i and min(2i + 1, H - 1); an odd last column uses (a[c] + a[c] + (b[c] + b[c])) * 0.25,
  ;; c = W - 1. Sources that are not float64 are converted per row into tmp (2 rows of W + 8 float64).
  ;; Writes one float64 past the plane end when W >> 1 is odd; reads up to 3 samples past a row.
  (func (export "down2") (param $src i32) (param $type i32) (param $width i32) (param $height i32) (param $dst i32) (param $tmp i32)
    (local $ow i32) (local $oh i32) (local $half i32) (local $i i32) (local $r0 i32) (local $r1 i32) (local $pa i32) (local $pb i32)
    (local $o i32) (local $end i32) (local $va v128) (local $wa v128) (local $vb v128) (local $wb v128) (local $c i32) (local $tmpB i32)
    (local.set $ow (i32.shr_u (i32.add (local.get $width) (i32.const 1)) (i32.const 1)))
    (local.set $oh (i32.shr_u (i32.add (local.get $height) (i32.const 1)) (i32.const 1)))
    (local.set $half (i32.shr_u (local.get $width) (i32.const 1)))
    (local.set $tmpB (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $width) (i32.const 8)) (i32.const 3))))
    (loop $rows
      (local.set $r0 (i32.shl (local.get $i) (i32.const 1)))
      (local.set $r1 (i32.add (local.get $r0) (i32.const 1)))
      (if (i32.ge_s (local.get $r1) (local.get $height)) (then (local.set $r1 (i32.sub (local.get $height) (i32.const 1)))))
      (if (i32.eq (local.get $type) (i32.const 3))
        (then
          (local.set $pa (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r0) (local.get $width)) (i32.const 3))))
          (local.set $pb (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r1) (local.get $width)) (i32.const 3)))))
        (else
          (call $convert (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r0) (local.get $width)) (local.get $type)))
            (local.get $type) (local.get $tmp) (local.get $width))
          (call $convert (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r1) (local.get $width)) (local.get $type)))
            (local.get $type) (local.get $tmpB) (local.get $width))
          (local.set $pa (local.get $tmp))
          (local.set $pb (local.get $tmpB))))
      (local.set $o (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $ow)) (i32.const 3))))
      (local.set $end (i32.add (local.get $o) (i32.shl (local.get $half) (i32.const 3))))
      (block $done
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (loop $l
          (local.set $va (v128.load (local.get $pa)))
          (local.set $wa (v128.load offset=16 (local.get $pa)))
          (local.set $vb (v128.load (local.get $pb)))
          (local.set $wb (v128.load offset=16 (local.get $pb)))
          (v128.store (local.get $o) (f64x2.mul
            (f64x2.add
              (f64x2.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $va) (local.get $wa))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $va) (local.get $wa)))
              (f64x2.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $vb) (local.get $wb))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $vb) (local.get $wb))))
            (f64x2.splat (f64.const 0.25))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $l (i32.lt_u (local.get $o) (local.get $end)))))
      (if (i32.and (local.get $width) (i32.const 1))
        (then
          ;; pa/pb point at pair (half rounded up to even): recompute from the row starts
          (local.set $c (i32.shl (i32.sub (local.get $width) (i32.const 1)) (i32.const 3)))
          (if (i32.eq (local.get $type) (i32.const 3))
            (then
              (local.set $pa (i32.add (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r0) (local.get $width)) (i32.const 3))) (local.get $c)))
              (local.set $pb (i32.add (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r1) (local.get $width)) (i32.const 3))) (local.get $c))))
            (else
              (local.set $pa (i32.add (local.get $tmp) (local.get $c)))
              (local.set $pb (i32.add (local.get $tmpB) (local.get $c)))))
          (f64.store (i32.add (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $ow)) (i32.const 3))) (i32.shl (local.get $half) (i32.const 3)))
            (f64.mul
              (f64.add
                (f64.add (f64.load (local.get $pa)) (f64.load (local.get $pa)))
                (f64.add (f64.load (local.get $pb)) (f64.load (local.get $pb))))
              (f64.const 0.25)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (local.get $oh)))))

  ;; MATLAB 'symmetric' mirror index (image/downsample.ts mirror()): period 2n, -1 -> 0, n -> n - 1.
  (func $mirror (param $i i32) (param $n i32) (result i32)
    (local $p i32) (local $m i32)
    (local.set $p (i32.shl (local.get $n) (i32.const 1)))
    (local.set $m (i32.rem_s (local.get $i) (local.get $p)))
    (if (i32.lt_s (local.get $m) (i32.const 0)) (then (local.set $m (i32.add (local.get $m) (local.get $p)))))
    (select (local.get $m) (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $m)) (i32.lt_s (local.get $m) (local.get $n))))

  ;; ssim.m's box downsampling (boxDownsampleMatlab in image/downsample.ts, bit for bit): output (i, j) of the
  ;; packed ceil(H/f) x ceil(W/f) float64 plane at dst is (0 + c[s] + ... + c[s + f - 1]) * scale with c the
  ;; column sums d[r0] + d[r1] + ... (rows mirrored, added in order) and s = j*f - (ceil-centre offset),
  ;; columns mirrored. col: W + 2f + 8 float64 of scratch, tmp: W + 8 float64.
  (func (export "boxDown") (param $src i32) (param $type i32) (param $width i32) (param $height i32) (param $f i32)
      (param $scale f64) (param $dst i32) (param $col i32) (param $tmp i32)
    (local $ow i32) (local $oh i32) (local $lo i32) (local $i i32) (local $k i32) (local $j i32) (local $p i32) (local $q i32)
    (local $end i32) (local $row i32) (local $sum f64) (local $base i32)
    (local.set $ow (i32.div_u (i32.add (local.get $width) (i32.sub (local.get $f) (i32.const 1))) (local.get $f)))
    (local.set $oh (i32.div_u (i32.add (local.get $height) (i32.sub (local.get $f) (i32.const 1))) (local.get $f)))
    ;; lo = -(floor((f + 1) / 2) - 1)
    (local.set $lo (i32.sub (i32.const 1) (i32.shr_u (i32.add (local.get $f) (i32.const 1)) (i32.const 1))))
    ;; column sums start at col + f (the f mirrored columns go before)
    (local.set $base (i32.add (local.get $col) (i32.shl (local.get $f) (i32.const 3))))
    (loop $rows
      (local.set $row (call $mirror (i32.add (i32.mul (local.get $i) (local.get $f)) (local.get $lo)) (local.get $height)))
      (call $convert (i32.add (local.get $src) (i32.shl (i32.mul (local.get $row) (local.get $width)) (local.get $type)))
        (local.get $type) (local.get $base) (local.get $width))
      (local.set $k (i32.const 1))
      (block $summed
        (loop $ks
          (br_if $summed (i32.ge_s (local.get $k) (local.get $f)))
          (local.set $row (call $mirror (i32.add (i32.add (i32.mul (local.get $i) (local.get $f)) (local.get $lo)) (local.get $k)) (local.get $height)))
          (call $convert (i32.add (local.get $src) (i32.shl (i32.mul (local.get $row) (local.get $width)) (local.get $type)))
            (local.get $type) (local.get $tmp) (local.get $width))
          (local.set $p (local.get $base))
          (local.set $q (local.get $tmp))
          (local.set $end (i32.add (local.get $base) (i32.shl (local.get $width) (i32.const 3))))
          (loop $add
            (v128.store (local.get $p) (f64x2.add (v128.load (local.get $p)) (v128.load (local.get $q))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $add (i32.lt_u (local.get $p) (local.get $end))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))
      ;; mirrored columns: c[-p] = c[mirror(-p)], c[W - 1 + p] = c[mirror(W - 1 + p)], p = 1..f
      (local.set $p (i32.const 1))
      (loop $mir
        (f64.store (i32.sub (local.get $base) (i32.shl (local.get $p) (i32.const 3)))
          (f64.load (i32.add (local.get $base) (i32.shl (call $mirror (i32.sub (i32.const 0) (local.get $p)) (local.get $width)) (i32.const 3)))))
        (f64.store (i32.add (local.get $base) (i32.shl (i32.add (i32.sub (local.get $width) (i32.const 1)) (local.get $p)) (i32.const 3)))
          (f64.load (i32.add (local.get $base) (i32.shl
            (call $mirror (i32.add (i32.sub (local.get $width) (i32.const 1)) (local.get $p)) (local.get $width)) (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $mir (i32.le_s (local.get $p) (local.get $f))))
      ;; outputs of row i
      (local.set $j (i32.const 0))
      (loop $outs
        (local.set $p (i32.add (local.get $base) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $f)) (local.get $lo)) (i32.const 3))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $f) (i32.const 3))))
        (local.set $sum (f64.const 0))
        (loop $taps
          (local.set $sum (f64.add (local.get $sum) (f64.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $taps (i32.lt_u (local.get $p) (local.get $end))))
        (f64.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ow)) (local.get $j)) (i32.const 3)))
          (f64.mul (local.get $sum) (local.get $scale)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $outs (i32.lt_s (local.get $j) (local.get $ow))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $i) (local.get $oh)))))

    ;; The whole SSIM pass (see runSsim in ssim-core.ts). Returns the sum over the valid rows of the valid
  ;; region's row sums; the cs total goes to address 0. full: 'full' map mode (mirrored 5-pixel ring);
  ;; mapType 0: no map, 1: float32, 2: float64.
  (func (export "run")
      (param $width i32) (param $height i32) (param $full i32) (param $wantCs i32) (param $type i32) (param $mapType i32)
      (param $c1 f64) (param $c2 f64) (param $xBase i32) (param $yBase i32) (param $work i32)
      (param $rowSums i32) (param $csSums i32) (param $map i32)
      (result f64)
    (local $pad i32) (local $outW i32) (local $firstRow i32) (local $endRow i32) (local $validFrom i32) (local $validTo i32)
    (local $msh i32) (local $x0 i32) (local $n i32) (local $next i32) (local $r i32) (local $last i32) (local $rows i32)
    (local $slot i32) (local $base i32) (local $k i32) (local $src i32) (local $bytes i32) (local $from i32) (local $to i32)
    (local $i i32) (local $row i32) (local $qs i32) (local $tot f64) (local $ctot f64)
    (local.set $pad (select (i32.const 5) (i32.const 0) (local.get $full)))
    (local.set $outW (select (local.get $width) (i32.sub (local.get $width) (i32.const 10)) (local.get $full)))
    (local.set $firstRow (select (i32.const 0) (i32.const 5) (local.get $full)))
    (local.set $endRow (select (local.get $height) (i32.sub (local.get $height) (i32.const 5)) (local.get $full)))
    (local.set $validFrom (local.get $pad))
    (local.set $validTo (i32.add (local.get $validFrom) (i32.sub (local.get $width) (i32.const 10))))
    (local.set $msh (select (i32.const 2) (i32.const 3) (i32.eq (local.get $mapType) (i32.const 1))))
    (memory.fill (local.get $rowSums) (i32.const 0) (i32.shl (local.get $height) (i32.const 3)))
    (memory.fill (local.get $csSums) (i32.const 0) (i32.shl (local.get $height) (i32.const 3)))
    (loop $strip
      (local.set $n (i32.sub (local.get $outW) (local.get $x0)))
      (if (i32.gt_s (local.get $n) (i32.const {{S}})) (then (local.set $n (i32.const {{S}}))))
      (local.set $next (i32.const 0))
      (local.set $r (local.get $firstRow))
      (loop $block
        ;; horizontal pass for the input rows this block needs that are not in the ring yet
        (local.set $last (i32.add (local.get $r) (i32.const 8)))
        (if (i32.gt_s (local.get $last) (i32.sub (local.get $height) (i32.const 1)))
          (then (local.set $last (i32.sub (local.get $height) (i32.const 1)))))
        (block $loaded
          (loop $load
            (br_if $loaded (i32.gt_s (local.get $next) (local.get $last)))
            (call $loadRow (local.get $work) (local.get $xBase) (local.get $yBase) (local.get $type) (local.get $width)
              (local.get $pad) (local.get $next) (local.get $x0) (local.get $n))
            (call $prep (local.get $work) (i32.add (local.get $n) (i32.const 10)))
            (local.set $slot (i32.add (i32.add (local.get $work) (i32.const {{RING}}))
              (i32.mul (i32.and (local.get $next) (i32.const 15)) (i32.const {{RSB}}))))
            (call $hfilter (local.get $work) (local.get $slot) (local.get $n))
            (call $hfilter (i32.add (local.get $work) (i32.const {{RSB}})) (i32.add (local.get $slot) (i32.const {{QS}})) (local.get $n))
            (call $hfilter (i32.add (local.get $work) (i32.const {{2 * RSB}})) (i32.add (local.get $slot) (i32.const {{2 * QS}})) (local.get $n))
            (call $hfilter (i32.add (local.get $work) (i32.const {{3 * RSB}})) (i32.add (local.get $slot) (i32.const {{3 * QS}})) (local.get $n))
            (local.set $next (i32.add (local.get $next) (i32.const 1)))
            (br $load)))
        ;; vertical pass over input rows r-5 .. r+8: 14 consecutive ring slots (stride QS between quantities),
        ;; or, where rows are mirrored (full map) or clamped (outputs discarded), the edge window (stride ES)
        (if (i32.and (i32.ge_s (local.get $r) (i32.const 5)) (i32.lt_s (i32.add (local.get $r) (i32.const 8)) (local.get $height)))
          (then
            (local.set $base (i32.add (i32.add (local.get $work) (i32.const {{RING}}))
              (i32.mul (i32.and (i32.sub (local.get $r) (i32.const 5)) (i32.const 15)) (i32.const {{RSB}}))))
            (local.set $qs (i32.const {{QS}})))
          (else
            (local.set $bytes (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4)))
            (local.set $k (i32.const 0))
            (loop $edge
              (local.set $src (i32.sub (i32.add (local.get $r) (local.get $k)) (i32.const 5)))
              (if (i32.lt_s (local.get $src) (i32.const 0))
                (then (local.set $src (i32.sub (i32.const -1) (local.get $src))))
                (else
                  (if (i32.ge_s (local.get $src) (local.get $height))
                    (then (local.set $src (select
                      (i32.sub (i32.sub (i32.shl (local.get $height) (i32.const 1)) (i32.const 1)) (local.get $src))
                      (i32.sub (local.get $height) (i32.const 1))
                      (local.get $full)))))))
              (local.set $slot (i32.add (i32.add (local.get $work) (i32.const {{RING}}))
                (i32.mul (i32.and (local.get $src) (i32.const 15)) (i32.const {{RSB}}))))
              (local.set $base (i32.add (i32.add (local.get $work) (i32.const {{EDGE}}))
                (i32.mul (local.get $k) (i32.const {{RSB}}))))
              (call $copy (local.get $slot) (local.get $base) (local.get $bytes))
              (call $copy (i32.add (local.get $slot) (i32.const {{QS}})) (i32.add (local.get $base) (i32.const {{ES}})) (local.get $bytes))
              (call $copy (i32.add (local.get $slot) (i32.const {{2 * QS}})) (i32.add (local.get $base) (i32.const {{2 * ES}})) (local.get $bytes))
              (call $copy (i32.add (local.get $slot) (i32.const {{3 * QS}})) (i32.add (local.get $base) (i32.const {{3 * ES}})) (local.get $bytes))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $edge (i32.lt_u (local.get $k) (i32.const 14))))
            (local.set $base (i32.add (local.get $work) (i32.const {{EDGE}})))
            (local.set $qs (i32.const {{ES}}))))
        (call $vfilter (local.get $base) (i32.add (local.get $work) (i32.const {{VB}})) (local.get $n))
        (call $vfilter (i32.add (local.get $base) (local.get $qs)) (i32.add (local.get $work) (i32.const {{VB + 4 * RSB}})) (local.get $n))
        (call $vfilter (i32.add (local.get $base) (i32.shl (local.get $qs) (i32.const 1))) (i32.add (local.get $work) (i32.const {{VB + 8 * RSB}})) (local.get $n))
        (call $vfilter (i32.add (local.get $base) (i32.mul (local.get $qs) (i32.const 3))) (i32.add (local.get $work) (i32.const {{VB + 12 * RSB}})) (local.get $n))
        ;; SSIM of the block's output rows
        (local.set $rows (i32.sub (local.get $endRow) (local.get $r)))
        (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
        (call $formula (i32.add (local.get $work) (i32.const {{VB}})) (local.get $n) (local.get $rows)
          (local.get $c1) (local.get $c2) (local.get $wantCs))
        ;; running row sums over the valid columns of this strip
        (local.set $from (i32.sub (local.get $validFrom) (local.get $x0)))
        (if (i32.lt_s (local.get $from) (i32.const 0)) (then (local.set $from (i32.const 0))))
        (local.set $to (i32.sub (local.get $validTo) (local.get $x0)))
        (if (i32.gt_s (local.get $to) (local.get $n)) (then (local.set $to (local.get $n))))
        (if (i32.lt_s (local.get $from) (local.get $to))
          (then
            (if (i32.and (i32.eq (local.get $rows) (i32.const 4))
                  (i32.and (i32.ge_s (local.get $r) (i32.const 5))
                    (i32.lt_s (i32.add (local.get $r) (i32.const 3)) (i32.sub (local.get $height) (i32.const 5)))))
              (then
                (call $sum4
                  (i32.add (i32.add (local.get $work) (i32.const {{VB + 16 * RSB}})) (i32.shl (local.get $from) (i32.const 3)))
                  (i32.sub (local.get $to) (local.get $from))
                  (i32.add (local.get $rowSums) (i32.shl (local.get $r) (i32.const 3)))
                  (i32.add (local.get $csSums) (i32.shl (local.get $r) (i32.const 3)))
                  (local.get $wantCs)))
              (else
                (local.set $i (i32.const 0))
                (loop $rowsLoop
                  (local.set $row (i32.add (local.get $r) (local.get $i)))
                  (if (i32.and (i32.ge_s (local.get $row) (i32.const 5)) (i32.lt_s (local.get $row) (i32.sub (local.get $height) (i32.const 5))))
                    (then
                      (call $sum1
                        (i32.add (i32.add (i32.add (local.get $work) (i32.const {{VB + 16 * RSB}})) (i32.mul (local.get $i) (i32.const {{RSB}})))
                          (i32.shl (local.get $from) (i32.const 3)))
                        (i32.sub (local.get $to) (local.get $from))
                        (i32.add (local.get $rowSums) (i32.shl (local.get $row) (i32.const 3)))
                        (i32.add (local.get $csSums) (i32.shl (local.get $row) (i32.const 3)))
                        (local.get $wantCs))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $rowsLoop (i32.lt_s (local.get $i) (local.get $rows))))))))
        ;; map rows
        (if (local.get $mapType)
          (then
            (local.set $i (i32.const 0))
            (loop $mapLoop
              (call $mapRow
                (i32.add (i32.add (local.get $work) (i32.const {{VB + 16 * RSB}})) (i32.mul (local.get $i) (i32.const {{RSB}})))
                (i32.add (local.get $map) (i32.shl
                  (i32.add (i32.mul (i32.sub (i32.add (local.get $r) (local.get $i)) (local.get $firstRow)) (local.get $outW)) (local.get $x0))
                  (local.get $msh)))
                (local.get $n) (local.get $mapType))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $mapLoop (i32.lt_s (local.get $i) (local.get $rows))))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br_if $block (i32.lt_s (local.get $r) (local.get $endRow))))
      (local.set $x0 (i32.add (local.get $x0) (i32.const {{S}})))
      (br_if $strip (i32.lt_s (local.get $x0) (local.get $outW))))
    ;; totals over the valid rows, in row order
    (local.set $row (i32.const 5))
    (loop $tl
      (local.set $tot (f64.add (local.get $tot) (f64.load (i32.add (local.get $rowSums) (i32.shl (local.get $row) (i32.const 3))))))
      (local.set $ctot (f64.add (local.get $ctot) (f64.load (i32.add (local.get $csSums) (i32.shl (local.get $row) (i32.const 3))))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $tl (i32.lt_s (local.get $row) (i32.sub (local.get $height) (i32.const 5)))))
    (f64.store (i32.const 0) (local.get $ctot))
    (local.get $tot))
)
