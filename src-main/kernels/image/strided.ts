/**
 * Strided multi-channel image views: one description for every layout the neural-metric preprocessing
 * reads or writes, so a resize can read a decoded interleaved frame (HWC, u8/u16) and write straight into
 * slot n of a caller-owned NCHW Float32Array batch, with no copy and no allocation per image.
 *
 * Sample (x, y) of channel c lives at `offset + y·rowStride + x·pixelStride + c·channelStride`. All
 * strides are non-negative integers counted in samples (not bytes). Layouts:
 *  - interleaved RGB(A) (decoder output, HWC): pixelStride = 3 or 4, rowStride = stride, channelStride = 1;
 *  - planar (CHW, one image of a batch): pixelStride = 1, rowStride = width, channelStride = width·height;
 *  - a single plane: channels = 1.
 * Views never own memory; the kernels that take them do no I/O.
 */
import { assertInterleaved, isSamples, type InterleavedImage, type Samples } from './plane';

export interface StridedImage<T extends Samples = Samples> {
  readonly data: T;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Index of channel 0 of pixel (0, 0). */
  readonly offset: number;
  /** Samples between horizontally adjacent pixels. */
  readonly pixelStride: number;
  /** Samples between vertically adjacent pixels. */
  readonly rowStride: number;
  /** Samples between the channels of one pixel. */
  readonly channelStride: number;
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Checks a view: supported samples, positive integer size, non-negative integer strides, every sample in bounds. */
export function assertStrided(image: StridedImage, label: string): void {
  if (image === null || typeof image !== 'object') throw new TypeError(`${label} must be a strided image object`);
  const { data, width, height, channels, offset, pixelStride, rowStride, channelStride } = image;
  if (!isSamples(data)) {
    throw new TypeError(`${label}.data must be a Uint8Array, Uint16Array, Float32Array or Float64Array`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${label} size must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`${label}.channels must be a positive integer, got ${channels}`);
  if (!isNonNegativeInteger(offset) || !isNonNegativeInteger(pixelStride) || !isNonNegativeInteger(rowStride) || !isNonNegativeInteger(channelStride)) {
    throw new RangeError(`${label} offset and strides must be non-negative integers`);
  }
  const last = offset + (height - 1) * rowStride + (width - 1) * pixelStride + (channels - 1) * channelStride;
  if (last >= data.length) {
    throw new RangeError(`${label} reaches sample ${last}, but its data holds ${data.length}`);
  }
}

/** The RGB channels of an interleaved RGB or RGBA image (alpha is not part of the view). */
export function interleavedView<T extends Samples>(image: InterleavedImage<T>): StridedImage<T> {
  assertInterleaved(image, 'image');
  return {
    data: image.data,
    width: image.width,
    height: image.height,
    channels: 3,
    offset: 0,
    pixelStride: image.channels,
    rowStride: image.stride,
    channelStride: 1,
  };
}

/** A packed planar (CHW) image starting at `offset`. */
export function planarView<T extends Samples>(data: T, width: number, height: number, channels: number, offset = 0): StridedImage<T> {
  const view = { data, width, height, channels, offset, pixelStride: 1, rowStride: width, channelStride: width * height };
  assertStrided(view, 'planar image');
  return view;
}

/**
 * Slot `n` of an NCHW batch tensor `[N, channels, height, width]` held in `batch` (N = batch.length /
 * (channels·height·width), at least n + 1). The view writes into the batch itself.
 */
export function batchSlotView<T extends Samples>(batch: T, n: number, channels: number, height: number, width: number): StridedImage<T> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`batch index must be a non-negative integer, got ${n}`);
  const size = channels * height * width;
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`batch slot shape must be positive integers, got ${channels}x${height}x${width}`);
  if (batch.length < (n + 1) * size) {
    throw new RangeError(`batch holds ${batch.length} samples; slot ${n} of [N,${channels},${height},${width}] needs ${(n + 1) * size}`);
  }
  return planarView(batch, width, height, channels, n * size);
}

/** Throws unless `dst` has `src`'s channel count (resizes map channel c to channel c). */
export function assertSameChannels(src: StridedImage, dst: StridedImage): void {
  if (src.channels !== dst.channels) {
    throw new RangeError(`source has ${src.channels} channels but destination has ${dst.channels}; they must match`);
  }
}
