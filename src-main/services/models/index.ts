/** Neural models: manifest, model directory, inference, probe verification and the LPIPS/CNNIQA metrics. */
export { loadManifest, manifestEntry, parseManifest, type ModelEntry, type ModelManifest } from './manifest';
export { listModels, modelDir, modelStatus, requireModel, type ModelState, type ModelStatus } from './model-store';
export { installModel, type InstallResult } from './install';
export { OnnxInference, batchSizeFor, closeSharedInference, sharedInference, type InferenceOptions, type InferenceResult, type TensorData, type ExecutionProvider } from './inference';
export { verifyModel, type ModelVerification, type ProbeCheck } from './verify';
export { lpipsPair, lpipsPairs, LPIPS_MODELS, type LpipsModel, type LpipsResult } from './lpips';
export { cnniqaScore, type CnniqaResult } from './cnniqa';
