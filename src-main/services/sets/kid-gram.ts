/** KID over subsets from Gram matrices lives in kernels/features (the compute worker runs it). */
export { kidWithGram, KID_GRAM_MAX_ENTRIES } from '../../kernels/features/kid-gram';
