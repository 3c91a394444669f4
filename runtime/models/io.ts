import * as tf from '@tensorflow/tfjs';
// Registers the custom layer so saved models that use it can be rebuilt.
import './seeded-dropout.ts';

/**
 * ModelArtifact is a trained model as plain JSON: the Keras-style topology, the
 * weight manifest, and all weights concatenated as one little-endian float32 blob
 * in base64. It is what the model registry stores; `loadModel` rebuilds the model
 * from it with no filesystem or network access.
 */
export interface ModelArtifact {
  format: 'layers-model';
  /** The tfjs version that wrote it. */
  generatedBy: string;
  modelTopology: Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Base64 of the weight bytes, in `weightSpecs` order. */
  weightData: string;
}

/**
 * saveModel captures a LayersModel as a ModelArtifact through an in-memory save
 * handler (no files written). Optimizer state is not kept: the artifact is for
 * inference, and a loaded model must be compiled again before further training.
 */
export async function saveModel(model: tf.LayersModel): Promise<ModelArtifact> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.modelTopology || captured.modelTopology instanceof ArrayBuffer || !captured.weightSpecs) {
    throw new Error('saveModel: the model produced no JSON topology or weight manifest');
  }
  const weights = captured.weightData ? tf.io.CompositeArrayBuffer.join(captured.weightData) : new ArrayBuffer(0);
  return {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    modelTopology: captured.modelTopology as Record<string, unknown>,
    weightSpecs: captured.weightSpecs,
    weightData: Buffer.from(weights).toString('base64'),
  };
}

/**
 * loadModel rebuilds a LayersModel from a ModelArtifact (e.g. parsed from the
 * registry's JSON) through `tf.io.fromMemory`. The model is uncompiled and ready
 * for `predict`. Throws on anything that is not a layers-model artifact.
 */
export async function loadModel(artifact: ModelArtifact): Promise<tf.LayersModel> {
  if (artifact?.format !== 'layers-model' || typeof artifact.weightData !== 'string' || !Array.isArray(artifact.weightSpecs)) {
    throw new Error('loadModel: not a layers-model artifact (format, weightSpecs, weightData)');
  }
  const bytes = Buffer.from(artifact.weightData, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: artifact.modelTopology, weightSpecs: artifact.weightSpecs, weightData }),
  );
}
