;; ffmpeg-compatible SSIM (vf_ssim.c) in WebAssembly SIMD: the same computation as planeSsim() in
;; src-main/kernels/metrics/ssim-ffmpeg.ts (the TypeScript reference), bit for bit.
;;
;; Why the results are identical:
;;  - block and window sums are integers and exact here (int32 lanes, no overflow for the inputs the caller
;;    sends: samples <= 255 for the 8-bit formula, <= 4095 for the >8-bit one; the maximum sample is
;;    returned so the caller can check), so their order does not matter;
;;  - 8-bit formula: vars, covar and the four float32 operands are exact int32 (< 2^31 for samples <= 255);
;;    int32 -> float32 conversion rounds to nearest like Math.fround of the exact double; float32 multiply
;;    and divide are correctly rounded, which is what Math.fround of the double product/quotient of two
;;    float32 values gives (the double result is exact for *, and double rounding is innocuous for /);
;;  - >8-bit formula: the integer expressions are evaluated in float64, where they are exact (< 2^53), then
;;    demoted to float32 (round to nearest = Math.fround);
;;  - the window values of a row are added one by one, left to right, in float64 (8-bit) or float32 (>8-bit:
;;    float32 addition = Math.fround of the double sum), and the row sums are added in row order in float64.
;;
;; Block sums of 4 blocks (16 pixels) are kept together in 64 bytes: s1[4], s2[4], ss[4], s12[4] (int32).
;; A block row of G groups needs G+1 groups of room (the last window group reads one group further).
;; Planes: samples at a (u8 or u16), `stride` bytes between rows; the block loops read up to 12 samples
;; past the used width (at most 24 bytes past the last used row: keep 64 readable bytes there).

(module
  (import "env" "mem" (memory 1))

  ;; running maximum of the samples read (u16 lanes), for the caller's overflow check
  (global $max (mut v128) (v128.const i32x4 0 0 0 0))

  ;; Block sums of one block row from 8-bit samples: 4 pixel rows from pa / pb, `groups` groups to out.
  (func $blocks8 (param $pa i32) (param $pb i32) (param $stride i32) (param $groups i32) (param $out i32)
    (local $end i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $a v128) (local $b v128) (local $al v128) (local $ah v128) (local $bl v128) (local $bh v128)
    (local $s1 v128) (local $s2 v128) (local $ssl v128) (local $ssh v128) (local $xyl v128) (local $xyh v128)
    (local.set $pa1 (i32.add (local.get $pa) (local.get $stride)))
    (local.set $pa2 (i32.add (local.get $pa1) (local.get $stride)))
    (local.set $pa3 (i32.add (local.get $pa2) (local.get $stride)))
    (local.set $pb1 (i32.add (local.get $pb) (local.get $stride)))
    (local.set $pb2 (i32.add (local.get $pb1) (local.get $stride)))
    (local.set $pb3 (i32.add (local.get $pb2) (local.get $stride)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $groups) (i32.const 6))))
    (loop $l
      ;; row 0
      (local.set $a (v128.load (local.get $pa)))
      (local.set $b (v128.load (local.get $pb)))
      (local.set $s1 (i16x8.extadd_pairwise_i8x16_u (local.get $a)))
      (local.set $s2 (i16x8.extadd_pairwise_i8x16_u (local.get $b)))
      (local.set $al (i16x8.extend_low_i8x16_u (local.get $a)))
      (local.set $ah (i16x8.extend_high_i8x16_u (local.get $a)))
      (local.set $bl (i16x8.extend_low_i8x16_u (local.get $b)))
      (local.set $bh (i16x8.extend_high_i8x16_u (local.get $b)))
      (local.set $ssl (i32x4.add (i32x4.dot_i16x8_s (local.get $al) (local.get $al)) (i32x4.dot_i16x8_s (local.get $bl) (local.get $bl))))
      (local.set $ssh (i32x4.add (i32x4.dot_i16x8_s (local.get $ah) (local.get $ah)) (i32x4.dot_i16x8_s (local.get $bh) (local.get $bh))))
      (local.set $xyl (i32x4.dot_i16x8_s (local.get $al) (local.get $bl)))
      (local.set $xyh (i32x4.dot_i16x8_s (local.get $ah) (local.get $bh)))
      ;; row 1
      (local.set $a (v128.load (local.get $pa1)))
      (local.set $b (v128.load (local.get $pb1)))
      (local.set $s1 (i16x8.add (local.get $s1) (i16x8.extadd_pairwise_i8x16_u (local.get $a))))
      (local.set $s2 (i16x8.add (local.get $s2) (i16x8.extadd_pairwise_i8x16_u (local.get $b))))
      (local.set $al (i16x8.extend_low_i8x16_u (local.get $a)))
      (local.set $ah (i16x8.extend_high_i8x16_u (local.get $a)))
      (local.set $bl (i16x8.extend_low_i8x16_u (local.get $b)))
      (local.set $bh (i16x8.extend_high_i8x16_u (local.get $b)))
      (local.set $ssl (i32x4.add (local.get $ssl) (i32x4.add (i32x4.dot_i16x8_s (local.get $al) (local.get $al)) (i32x4.dot_i16x8_s (local.get $bl) (local.get $bl)))))
      (local.set $ssh (i32x4.add (local.get $ssh) (i32x4.add (i32x4.dot_i16x8_s (local.get $ah) (local.get $ah)) (i32x4.dot_i16x8_s (local.get $bh) (local.get $bh)))))
      (local.set $xyl (i32x4.add (local.get $xyl) (i32x4.dot_i16x8_s (local.get $al) (local.get $bl))))
      (local.set $xyh (i32x4.add (local.get $xyh) (i32x4.dot_i16x8_s (local.get $ah) (local.get $bh))))
      ;; row 2
      (local.set $a (v128.load (local.get $pa2)))
      (local.set $b (v128.load (local.get $pb2)))
      (local.set $s1 (i16x8.add (local.get $s1) (i16x8.extadd_pairwise_i8x16_u (local.get $a))))
      (local.set $s2 (i16x8.add (local.get $s2) (i16x8.extadd_pairwise_i8x16_u (local.get $b))))
      (local.set $al (i16x8.extend_low_i8x16_u (local.get $a)))
      (local.set $ah (i16x8.extend_high_i8x16_u (local.get $a)))
      (local.set $bl (i16x8.extend_low_i8x16_u (local.get $b)))
      (local.set $bh (i16x8.extend_high_i8x16_u (local.get $b)))
      (local.set $ssl (i32x4.add (local.get $ssl) (i32x4.add (i32x4.dot_i16x8_s (local.get $al) (local.get $al)) (i32x4.dot_i16x8_s (local.get $bl) (local.get $bl)))))
      (local.set $ssh (i32x4.add (local.get $ssh) (i32x4.add (i32x4.dot_i16x8_s (local.get $ah) (local.get $ah)) (i32x4.dot_i16x8_s (local.get $bh) (local.get $bh)))))
      (local.set $xyl (i32x4.add (local.get $xyl) (i32x4.dot_i16x8_s (local.get $al) (local.get $bl))))
      (local.set $xyh (i32x4.add (local.get $xyh) (i32x4.dot_i16x8_s (local.get $ah) (local.get $bh))))
      ;; row 3
      (local.set $a (v128.load (local.get $pa3)))
      (local.set $b (v128.load (local.get $pb3)))
      (local.set $s1 (i16x8.add (local.get $s1) (i16x8.extadd_pairwise_i8x16_u (local.get $a))))
      (local.set $s2 (i16x8.add (local.get $s2) (i16x8.extadd_pairwise_i8x16_u (local.get $b))))
      (local.set $al (i16x8.extend_low_i8x16_u (local.get $a)))
      (local.set $ah (i16x8.extend_high_i8x16_u (local.get $a)))
      (local.set $bl (i16x8.extend_low_i8x16_u (local.get $b)))
      (local.set $bh (i16x8.extend_high_i8x16_u (local.get $b)))
      (local.set $ssl (i32x4.add (local.get $ssl) (i32x4.add (i32x4.dot_i16x8_s (local.get $al) (local.get $al)) (i32x4.dot_i16x8_s (local.get $bl) (local.get $bl)))))
      (local.set $ssh (i32x4.add (local.get $ssh) (i32x4.add (i32x4.dot_i16x8_s (local.get $ah) (local.get $ah)) (i32x4.dot_i16x8_s (local.get $bh) (local.get $bh)))))
      (local.set $xyl (i32x4.add (local.get $xyl) (i32x4.dot_i16x8_s (local.get $al) (local.get $bl))))
      (local.set $xyh (i32x4.add (local.get $xyh) (i32x4.dot_i16x8_s (local.get $ah) (local.get $bh))))
      ;; per block: s1, s2 from the pair sums; ss, s12 from the lanes of pixel pairs (0,1)(2,3) | (4,5)(6,7) ...
      (v128.store (local.get $out) (i32x4.extadd_pairwise_i16x8_u (local.get $s1)))
      (v128.store offset=16 (local.get $out) (i32x4.extadd_pairwise_i16x8_u (local.get $s2)))
      (v128.store offset=32 (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ssl) (local.get $ssh))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ssl) (local.get $ssh))))
      (v128.store offset=48 (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $xyl) (local.get $xyh))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $xyl) (local.get $xyh))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pa1 (i32.add (local.get $pa1) (i32.const 16)))
      (local.set $pa2 (i32.add (local.get $pa2) (i32.const 16)))
      (local.set $pa3 (i32.add (local.get $pa3) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
      (local.set $pb1 (i32.add (local.get $pb1) (i32.const 16)))
      (local.set $pb2 (i32.add (local.get $pb2) (i32.const 16)))
      (local.set $pb3 (i32.add (local.get $pb3) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (br_if $l (i32.lt_u (local.get $out) (local.get $end)))))

  ;; Block sums of one block row from 16-bit samples (<= 4095 for exact int32 sums; dot products treat
  ;; samples as signed int16, exact below 32768). Also keeps the running maximum in $max.
  (func $blocks16 (param $pa i32) (param $pb i32) (param $stride i32) (param $groups i32) (param $out i32)
    (local $end i32) (local $row i32) (local $qa i32) (local $qb i32) (local $mx v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $s1l v128) (local $s1h v128) (local $s2l v128) (local $s2h v128)
    (local $ssl v128) (local $ssh v128) (local $xyl v128) (local $xyh v128)
    (local.set $mx (global.get $max))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $groups) (i32.const 6))))
    (loop $l
      (local.set $s1l (v128.const i32x4 0 0 0 0))
      (local.set $s1h (v128.const i32x4 0 0 0 0))
      (local.set $s2l (v128.const i32x4 0 0 0 0))
      (local.set $s2h (v128.const i32x4 0 0 0 0))
      (local.set $ssl (v128.const i32x4 0 0 0 0))
      (local.set $ssh (v128.const i32x4 0 0 0 0))
      (local.set $xyl (v128.const i32x4 0 0 0 0))
      (local.set $xyh (v128.const i32x4 0 0 0 0))
      (local.set $qa (local.get $pa))
      (local.set $qb (local.get $pb))
      (local.set $row (i32.const 4))
      (loop $rows
        (local.set $a0 (v128.load (local.get $qa)))
        (local.set $a1 (v128.load offset=16 (local.get $qa)))
        (local.set $b0 (v128.load (local.get $qb)))
        (local.set $b1 (v128.load offset=16 (local.get $qb)))
        (local.set $mx (i16x8.max_u (local.get $mx) (i16x8.max_u (i16x8.max_u (local.get $a0) (local.get $a1)) (i16x8.max_u (local.get $b0) (local.get $b1)))))
        (local.set $s1l (i32x4.add (local.get $s1l) (i32x4.extadd_pairwise_i16x8_u (local.get $a0))))
        (local.set $s1h (i32x4.add (local.get $s1h) (i32x4.extadd_pairwise_i16x8_u (local.get $a1))))
        (local.set $s2l (i32x4.add (local.get $s2l) (i32x4.extadd_pairwise_i16x8_u (local.get $b0))))
        (local.set $s2h (i32x4.add (local.get $s2h) (i32x4.extadd_pairwise_i16x8_u (local.get $b1))))
        (local.set $ssl (i32x4.add (local.get $ssl) (i32x4.add (i32x4.dot_i16x8_s (local.get $a0) (local.get $a0)) (i32x4.dot_i16x8_s (local.get $b0) (local.get $b0)))))
        (local.set $ssh (i32x4.add (local.get $ssh) (i32x4.add (i32x4.dot_i16x8_s (local.get $a1) (local.get $a1)) (i32x4.dot_i16x8_s (local.get $b1) (local.get $b1)))))
        (local.set $xyl (i32x4.add (local.get $xyl) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b0))))
        (local.set $xyh (i32x4.add (local.get $xyh) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b1))))
        (local.set $qa (i32.add (local.get $qa) (local.get $stride)))
        (local.set $qb (i32.add (local.get $qb) (local.get $stride)))
        (local.set $row (i32.sub (local.get $row) (i32.const 1)))
        (br_if $rows (local.get $row)))
      (v128.store (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s1l) (local.get $s1h))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s1l) (local.get $s1h))))
      (v128.store offset=16 (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s2l) (local.get $s2h))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s2l) (local.get $s2h))))
      (v128.store offset=32 (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ssl) (local.get $ssh))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ssl) (local.get $ssh))))
      (v128.store offset=48 (local.get $out) (i32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $xyl) (local.get $xyh))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $xyl) (local.get $xyh))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (br_if $l (i32.lt_u (local.get $out) (local.get $end))))
    (global.set $max (local.get $mx)))

  ;; In both row functions, the window sums of 4 windows (blocks i, i+1 of both block rows) of each quantity
  ;; are (cur + prev)[i..i+3] + (cur + prev)[i+1..i+4].

  ;; One row of windows, 8-bit formula: int32 statistics, float32 formula, float64 sum.
  (func $row8 (param $prev i32) (param $cur i32) (param $windows i32) (param $c1 i32) (param $c2 i32) (result f64)
    (local $sum f64) (local $C1 v128) (local $C2 v128) (local $t v128)
    (local $s1 v128) (local $s2 v128) (local $ss v128) (local $s12 v128) (local $s1s2 v128) (local $v v128)
    (local.set $C1 (i32x4.splat (local.get $c1)))
    (local.set $C2 (i32x4.splat (local.get $c2)))
    (loop $l
      (local.set $t (i32x4.add (v128.load (local.get $cur)) (v128.load (local.get $prev))))
      (local.set $s1 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=64 (local.get $cur)) (v128.load offset=64 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=16 (local.get $cur)) (v128.load offset=16 (local.get $prev))))
      (local.set $s2 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=80 (local.get $cur)) (v128.load offset=80 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=32 (local.get $cur)) (v128.load offset=32 (local.get $prev))))
      (local.set $ss (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=96 (local.get $cur)) (v128.load offset=96 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=48 (local.get $cur)) (v128.load offset=48 (local.get $prev))))
      (local.set $s12 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=112 (local.get $cur)) (v128.load offset=112 (local.get $prev))))))
      (local.set $s1s2 (i32x4.mul (local.get $s1) (local.get $s2)))
      ;; ssim = (float)(2 s1 s2 + c1) * (float)(2 covar + c2) / ((float)(s1^2 + s2^2 + c1) * (float)(vars + c2))
      ;; covar = 64 s12 - s1 s2, vars = 64 ss - s1^2 - s2^2
      (local.set $v (f32x4.div
        (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add (i32x4.shl (local.get $s1s2) (i32.const 1)) (local.get $C1)))
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.shl (i32x4.sub (i32x4.shl (local.get $s12) (i32.const 6)) (local.get $s1s2)) (i32.const 1))
            (local.get $C2))))
        (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $s1) (local.get $s1)) (i32x4.mul (local.get $s2) (local.get $s2)))
            (local.get $C1)))
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.sub (i32x4.sub (i32x4.shl (local.get $ss) (i32.const 6)) (i32x4.mul (local.get $s1) (local.get $s1)))
              (i32x4.mul (local.get $s2) (local.get $s2)))
            (local.get $C2))))))
      ;; add the valid windows in order
      (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $v)))))
      (if (i32.ge_s (local.get $windows) (i32.const 4))
        (then
          (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $v)))))
          (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 2 (local.get $v)))))
          (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $v))))))
        (else
          (if (i32.ge_s (local.get $windows) (i32.const 2))
            (then (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $v)))))))
          (if (i32.ge_s (local.get $windows) (i32.const 3))
            (then (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 2 (local.get $v)))))))))
      (local.set $prev (i32.add (local.get $prev) (i32.const 64)))
      (local.set $cur (i32.add (local.get $cur) (i32.const 64)))
      (local.set $windows (i32.sub (local.get $windows) (i32.const 4)))
      (br_if $l (i32.gt_s (local.get $windows) (i32.const 0))))
    (local.get $sum))

  ;; The float32 SSIM of 2 windows from float64 statistics (exact integers), lanes 0 and 1.
  (func $ssimHigh (param $s1 v128) (param $s2 v128) (param $ss v128) (param $s12 v128) (param $C1 v128) (param $C2 v128) (result v128)
    (local $s1s2 v128) (local $sq v128)
    (local.set $s1s2 (f64x2.mul (local.get $s1) (local.get $s2)))
    (local.set $sq (f64x2.add (f64x2.mul (local.get $s1) (local.get $s1)) (f64x2.mul (local.get $s2) (local.get $s2))))
    (f32x4.div
      (f32x4.mul
        (f32x4.demote_f64x2_zero (f64x2.add (f64x2.add (local.get $s1s2) (local.get $s1s2)) (local.get $C1)))
        (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (f64x2.sub (f64x2.mul (local.get $s12) (f64x2.splat (f64.const 64))) (local.get $s1s2)) (f64x2.splat (f64.const 2)))
          (local.get $C2))))
      (f32x4.mul
        (f32x4.demote_f64x2_zero (f64x2.add (local.get $sq) (local.get $C1)))
        (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.sub (f64x2.mul (local.get $ss) (f64x2.splat (f64.const 64))) (local.get $sq))
          (local.get $C2))))))

  ;; One row of windows, >8-bit formula: float64 statistics, float32 formula, float32 row sum.
  (func $rowHigh (param $prev i32) (param $cur i32) (param $windows i32) (param $c1 f64) (param $c2 f64) (result f64)
    (local $sum f32) (local $C1 v128) (local $C2 v128) (local $t v128)
    (local $s1 v128) (local $s2 v128) (local $ss v128) (local $s12 v128) (local $v v128) (local $w v128)
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (loop $l
      (local.set $t (i32x4.add (v128.load (local.get $cur)) (v128.load (local.get $prev))))
      (local.set $s1 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=64 (local.get $cur)) (v128.load offset=64 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=16 (local.get $cur)) (v128.load offset=16 (local.get $prev))))
      (local.set $s2 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=80 (local.get $cur)) (v128.load offset=80 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=32 (local.get $cur)) (v128.load offset=32 (local.get $prev))))
      (local.set $ss (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=96 (local.get $cur)) (v128.load offset=96 (local.get $prev))))))
      (local.set $t (i32x4.add (v128.load offset=48 (local.get $cur)) (v128.load offset=48 (local.get $prev))))
      (local.set $s12 (i32x4.add (local.get $t) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $t)
        (i32x4.add (v128.load offset=112 (local.get $cur)) (v128.load offset=112 (local.get $prev))))))
      (local.set $v (call $ssimHigh
        (f64x2.convert_low_i32x4_u (local.get $s1)) (f64x2.convert_low_i32x4_u (local.get $s2))
        (f64x2.convert_low_i32x4_u (local.get $ss)) (f64x2.convert_low_i32x4_u (local.get $s12))
        (local.get $C1) (local.get $C2)))
      (local.set $w (call $ssimHigh
        (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s1) (local.get $s1)))
        (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s2) (local.get $s2)))
        (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $ss) (local.get $ss)))
        (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s12) (local.get $s12)))
        (local.get $C1) (local.get $C2)))
      (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $v))))
      (if (i32.ge_s (local.get $windows) (i32.const 4))
        (then
          (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 1 (local.get $v))))
          (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $w))))
          (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 1 (local.get $w)))))
        (else
          (if (i32.ge_s (local.get $windows) (i32.const 2))
            (then (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 1 (local.get $v))))))
          (if (i32.ge_s (local.get $windows) (i32.const 3))
            (then (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $w))))))))
      (local.set $prev (i32.add (local.get $prev) (i32.const 64)))
      (local.set $cur (i32.add (local.get $cur) (i32.const 64)))
      (local.set $windows (i32.sub (local.get $windows) (i32.const 4)))
      (br_if $l (i32.gt_s (local.get $windows) (i32.const 0))))
    (f64.promote_f32 (local.get $sum)))

  ;; SSIM sum over all windows of one plane pair (width, height >= 8): the sum of the row sums in row
  ;; order (the caller divides by the window count). wide: u16 samples (else u8); high: the >8-bit
  ;; formula with c1/c2 (else the 8-bit one). bufA, bufB: two block rows of (width>>2)/4 + 2 groups.
  ;; The maximum sample read (u16 data) is left at address 0 (int32).
  (func (export "plane") (param $a i32) (param $b i32) (param $stride i32) (param $width i32) (param $height i32)
      (param $wide i32) (param $high i32) (param $c1 f64) (param $c2 f64) (param $bufA i32) (param $bufB i32)
      (result f64)
    (local $blocksX i32) (local $blocksY i32) (local $groups i32) (local $y i32) (local $prev i32) (local $cur i32)
    (local $t i32) (local $off i32) (local $total f64) (local $mx v128) (local $c1i i32) (local $c2i i32)
    (local.set $blocksX (i32.shr_u (local.get $width) (i32.const 2)))
    (local.set $blocksY (i32.shr_u (local.get $height) (i32.const 2)))
    (local.set $groups (i32.shr_u (i32.add (local.get $blocksX) (i32.const 3)) (i32.const 2)))
    (local.set $c1i (i32.trunc_sat_f64_s (local.get $c1)))
    (local.set $c2i (i32.trunc_sat_f64_s (local.get $c2)))
    (global.set $max (v128.const i32x4 0 0 0 0))
    (local.set $prev (local.get $bufA))
    (local.set $cur (local.get $bufB))
    (if (local.get $wide)
      (then (call $blocks16 (local.get $a) (local.get $b) (local.get $stride) (local.get $groups) (local.get $prev)))
      (else (call $blocks8 (local.get $a) (local.get $b) (local.get $stride) (local.get $groups) (local.get $prev))))
    (local.set $y (i32.const 1))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $y) (local.get $blocksY)))
        (local.set $off (i32.mul (i32.shl (local.get $y) (i32.const 2)) (local.get $stride)))
        (if (local.get $wide)
          (then (call $blocks16 (i32.add (local.get $a) (local.get $off)) (i32.add (local.get $b) (local.get $off))
            (local.get $stride) (local.get $groups) (local.get $cur)))
          (else (call $blocks8 (i32.add (local.get $a) (local.get $off)) (i32.add (local.get $b) (local.get $off))
            (local.get $stride) (local.get $groups) (local.get $cur))))
        (if (local.get $high)
          (then (local.set $total (f64.add (local.get $total)
            (call $rowHigh (local.get $prev) (local.get $cur) (i32.sub (local.get $blocksX) (i32.const 1)) (local.get $c1) (local.get $c2)))))
          (else (local.set $total (f64.add (local.get $total)
            (call $row8 (local.get $prev) (local.get $cur) (i32.sub (local.get $blocksX) (i32.const 1)) (local.get $c1i) (local.get $c2i))))))
        (local.set $t (local.get $prev))
        (local.set $prev (local.get $cur))
        (local.set $cur (local.get $t))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $l)))
    ;; horizontal maximum of the 8 u16 lanes
    (local.set $mx (global.get $max))
    (local.set $mx (i16x8.max_u (local.get $mx) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mx) (local.get $mx))))
    (local.set $mx (i16x8.max_u (local.get $mx) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $mx) (local.get $mx))))
    (local.set $mx (i16x8.max_u (local.get $mx) (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $mx) (local.get $mx))))
    (i32.store (i32.const 0) (i16x8.extract_lane_u 0 (local.get $mx)))
    (local.get $total))
)
