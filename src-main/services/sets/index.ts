/** Set-level distribution metrics: FID, KID and IS over sets of images, FVD over sets of videos. */
export { computeImageSetMetrics } from './image-set-metrics';
export { computeFvd } from './fvd';
