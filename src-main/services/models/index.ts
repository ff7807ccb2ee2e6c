/** Neural models: manifest, model directory, inference, probe verification and the LPIPS metric (what the engine and the tests take from here). */
export { manifestEntry } from './manifest';
export { listModels, modelDir, requireModel } from './model-store';
export { installModel } from './install';
export { closeSharedInference } from './inference';
export { verifyModel } from './verify';
export { lpipsPair } from './lpips';
