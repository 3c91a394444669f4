import * as tf from '@tensorflow/tfjs';

/** SeededDropoutArgs configures a SeededDropout layer. */
export interface SeededDropoutArgs {
  /** Fraction of units zeroed during training, in [0, 1). */
  rate: number;
  /** Base seed; the mask of the k-th training call is drawn from (seed, k). */
  seed: number;
  name?: string;
}

/**
 * SeededDropout is dropout whose masks are reproducible yet differ between
 * batches. The stock `tf.layers.dropout({seed})` reseeds every call with the same
 * seed, so it drops the same units on every batch; without a seed it draws from
 * Math.random and a run cannot be repeated. This layer counts its training calls
 * and seeds call k with (seed, k). At inference it is the identity. It is
 * registered for serialisation, so a saved model that contains it loads wherever
 * this module has been imported (runtime/models/io.ts does).
 */
export class SeededDropout extends tf.layers.Layer {
  /** className is the name under which the layer is serialised. */
  static className = 'FluxoraSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private trainingCalls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return input;
    this.trainingCalls += 1;
    const callSeed = `${this.seed}:${this.trainingCalls}`;
    return tf.tidy(() => tf.dropout(input, this.rate, undefined, callSeed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(SeededDropout);
