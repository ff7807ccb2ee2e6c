/**
 * The MOS kernels live in kernels/analysis (the compute worker runs them); the command line and the
 * services keep naming them here.
 */
export * from '../../kernels/analysis/mos-from-ratings';
