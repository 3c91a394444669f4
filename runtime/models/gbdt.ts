import { seededRandom } from './random.ts';

/** GbdtParams are the hyperparameters of gradient-boosted regression trees (squared loss, histogram splits, leaf-wise growth as in LightGBM). */
export interface GbdtParams {
  /** Most boosting rounds (trees). */
  rounds: number;
  /** Shrinkage applied to every leaf value. */
  learningRate: number;
  /** Leaves per tree; trees grow best-gain leaf first. */
  numLeaves: number;
  /** Fewest training rows in a leaf. */
  minLeafSamples: number;
  /** L2 penalty on leaf values (lambda). */
  l2: number;
  /** Share of features each tree may split on. */
  featureFraction: number;
  /** Share of rows each tree is fitted on (bagging without replacement). */
  sampleFraction: number;
  /** Histogram bins per feature, at most 256. */
  maxBins: number;
  /** Stop when the validation loss has not improved for this many rounds (needs validation rows). */
  earlyStoppingRounds: number;
  seed: number;
}

/** GBDT_DEFAULTS are the hyperparameters used where a TrainingJob sets none. */
export const GBDT_DEFAULTS: Readonly<Omit<GbdtParams, 'seed'>> = Object.freeze({
  rounds: 400,
  learningRate: 0.08,
  numLeaves: 31,
  minLeafSamples: 40,
  l2: 1,
  featureFraction: 0.9,
  sampleFraction: 0.7,
  maxBins: 255,
  earlyStoppingRounds: 30,
});

/**
 * GbdtModel is a fitted ensemble as plain JSON: all trees' nodes in flat arrays.
 * Node i splits on `feature[i]` (x <= threshold[i] goes to left[i], else right[i]);
 * a leaf has feature -1 and its value in `value[i]`. `roots` holds each tree's
 * first node. The prediction is `base` plus every tree's leaf value.
 */
export interface GbdtModel {
  features: number;
  base: number;
  roots: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** GbdtData is a row-major matrix of rows x features with one target per row. */
export interface GbdtData {
  X: Float32Array;
  y: Float32Array;
  rows: number;
}

/** GbdtFit is a fitted model and how boosting went. */
export interface GbdtFit {
  model: GbdtModel;
  /** Trees kept: the best validation round with early stopping, else all. */
  rounds: number;
  /** Validation MSE after each round (empty without validation rows). */
  validationLoss: number[];
}

/** binEdges picks up to maxBins - 1 split thresholds per feature at quantiles of (a sample of) its values. */
function binEdges(X: Float32Array, rows: number, features: number, maxBins: number, random: () => number): Float64Array[] {
  const sampleRows = Math.min(rows, 50_000);
  const picked = new Int32Array(sampleRows);
  for (let i = 0; i < sampleRows; i++) picked[i] = sampleRows === rows ? i : Math.floor(random() * rows);
  const values = new Float64Array(sampleRows);
  const edges: Float64Array[] = [];
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < sampleRows; i++) values[i] = X[picked[i] * features + f];
    values.sort();
    const cut: number[] = [];
    for (let b = 1; b < maxBins; b++) {
      const v = values[Math.min(sampleRows - 1, Math.floor((b * sampleRows) / maxBins))];
      // A threshold halfway to the next distinct value keeps unseen values on the right side.
      if (cut.length === 0 || v > cut[cut.length - 1]) cut.push(v);
    }
    if (cut.length > 0 && cut[cut.length - 1] >= values[sampleRows - 1]) cut.pop();
    edges.push(Float64Array.from(cut));
  }
  return edges;
}

function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Leaf {
  start: number;
  end: number;
  sum: number;
  hist: number;
  gain: number;
  splitFeature: number;
  splitBin: number;
  node: number;
}

/**
 * fitGbdt fits gradient-boosted regression trees on squared loss: feature values
 * are bucketed once into at most maxBins quantile bins, every tree is grown leaf
 * by leaf (largest loss reduction first) from gradient histograms, the smaller
 * child's histogram is built and the larger one's is the parent's minus it.
 * With `validation` rows, boosting stops after earlyStoppingRounds rounds without
 * a lower validation MSE and keeps the best round's trees. Deterministic for a seed.
 */
export function fitGbdt(train: GbdtData, features: number, params: GbdtParams, validation?: GbdtData): GbdtFit {
  const { rows, X, y } = train;
  if (!(rows > 0) || X.length !== rows * features || y.length !== rows) {
    throw new RangeError(`gbdt: X has ${X.length} values and y ${y.length}, not ${rows} x ${features} and ${rows}`);
  }
  const random = seededRandom(params.seed >>> 0);
  const bins = Math.max(2, Math.min(256, params.maxBins));
  const edges = binEdges(X, rows, features, bins, random);
  const binned = new Uint8Array(rows * features);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) binned[r * features + f] = binOf(edges[f], X[r * features + f]);
  }
  let base = 0;
  for (let r = 0; r < rows; r++) base += y[r];
  base /= rows;
  const pred = new Float64Array(rows).fill(base);
  const grad = new Float64Array(rows);
  const validPred = validation ? new Float64Array(validation.rows).fill(base) : undefined;

  const B = 256;
  const maxLeaves = Math.max(2, params.numLeaves);
  const histSize = features * B;
  const histG = new Float64Array(histSize * maxLeaves * 2);
  const histN = new Float64Array(histSize * maxLeaves * 2);
  const freeHists: number[] = [];
  const idx = new Int32Array(rows);
  const model: GbdtModel = { features, base, roots: [], feature: [], threshold: [], left: [], right: [], value: [] };
  const nodeBin: number[] = [];
  const lambda = params.l2;
  const minLeaf = Math.max(1, params.minLeafSamples);
  const validationLoss: number[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRounds = 0;
  const featureList = new Int32Array(features);

  const buildHist = (h: number, start: number, end: number, nFeat: number) => {
    const off = h * histSize;
    for (let j = 0; j < nFeat; j++) {
      const f = featureList[j];
      histG.fill(0, off + f * B, off + f * B + B);
      histN.fill(0, off + f * B, off + f * B + B);
    }
    for (let i = start; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const row = r * features;
      for (let j = 0; j < nFeat; j++) {
        const f = featureList[j];
        const at = off + f * B + binned[row + f];
        histG[at] += g;
        histN[at] += 1;
      }
    }
  };
  const findSplit = (leaf: Leaf, nFeat: number) => {
    const n = leaf.end - leaf.start;
    const G = leaf.sum;
    const parentScore = (G * G) / (n + lambda);
    const off = leaf.hist * histSize;
    leaf.gain = 0;
    leaf.splitFeature = -1;
    if (n < 2 * minLeaf) return;
    for (let j = 0; j < nFeat; j++) {
      const f = featureList[j];
      const last = edges[f].length;
      let gl = 0;
      let nl = 0;
      for (let b = 0; b < last; b++) {
        gl += histG[off + f * B + b];
        nl += histN[off + f * B + b];
        if (nl < minLeaf) continue;
        const nr = n - nl;
        if (nr < minLeaf) break;
        const gr = G - gl;
        const gain = (gl * gl) / (nl + lambda) + (gr * gr) / (nr + lambda) - parentScore;
        if (gain > leaf.gain) {
          leaf.gain = gain;
          leaf.splitFeature = f;
          leaf.splitBin = b;
        }
      }
    }
  };
  const newNode = (): number => {
    model.feature.push(-1);
    model.threshold.push(0);
    model.left.push(-1);
    model.right.push(-1);
    model.value.push(0);
    nodeBin.push(0);
    return model.feature.length - 1;
  };

  for (let round = 0; round < params.rounds; round++) {
    for (let r = 0; r < rows; r++) grad[r] = pred[r] - y[r];
    // Rows and features of this tree.
    let m = 0;
    for (let r = 0; r < rows; r++) if (params.sampleFraction >= 1 || random() < params.sampleFraction) idx[m++] = r;
    let nFeat = 0;
    for (let f = 0; f < features; f++) if (params.featureFraction >= 1 || random() < params.featureFraction) featureList[nFeat++] = f;
    if (nFeat === 0) featureList[nFeat++] = Math.floor(random() * features);
    freeHists.length = 0;
    for (let h = maxLeaves * 2 - 1; h >= 0; h--) freeHists.push(h);

    let rootSum = 0;
    for (let i = 0; i < m; i++) rootSum += grad[idx[i]];
    const root: Leaf = { start: 0, end: m, sum: rootSum, hist: freeHists.pop()!, gain: 0, splitFeature: -1, splitBin: 0, node: newNode() };
    model.roots.push(root.node);
    buildHist(root.hist, 0, m, nFeat);
    findSplit(root, nFeat);
    const leaves: Leaf[] = [root];
    while (leaves.length < maxLeaves) {
      let best = -1;
      for (let i = 0; i < leaves.length; i++) if (leaves[i].splitFeature >= 0 && (best < 0 || leaves[i].gain > leaves[best].gain)) best = i;
      if (best < 0) break;
      const leaf = leaves[best];
      const f = leaf.splitFeature;
      const bin = leaf.splitBin;
      // Partition the leaf's rows: bins <= bin to the left.
      let lo = leaf.start;
      let hi = leaf.end - 1;
      let leftSum = 0;
      while (lo <= hi) {
        const r = idx[lo];
        if (binned[r * features + f] <= bin) {
          leftSum += grad[r];
          lo++;
        } else {
          idx[lo] = idx[hi];
          idx[hi--] = r;
        }
      }
      const left: Leaf = { start: leaf.start, end: lo, sum: leftSum, hist: -1, gain: 0, splitFeature: -1, splitBin: 0, node: newNode() };
      const right: Leaf = { start: lo, end: leaf.end, sum: leaf.sum - leftSum, hist: -1, gain: 0, splitFeature: -1, splitBin: 0, node: newNode() };
      const node = leaf.node;
      model.feature[node] = f;
      model.threshold[node] = edges[f][bin];
      nodeBin[node] = bin;
      model.left[node] = left.node;
      model.right[node] = right.node;
      const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = freeHists.pop()!;
      large.hist = leaf.hist;
      buildHist(small.hist, small.start, small.end, nFeat);
      const so = small.hist * histSize;
      const lo2 = large.hist * histSize;
      for (let j = 0; j < nFeat; j++) {
        const ff = featureList[j] * B;
        for (let b = 0; b < B; b++) {
          histG[lo2 + ff + b] -= histG[so + ff + b];
          histN[lo2 + ff + b] -= histN[so + ff + b];
        }
      }
      findSplit(left, nFeat);
      findSplit(right, nFeat);
      leaves[best] = left;
      leaves.push(right);
    }
    for (const leaf of leaves) {
      const n = leaf.end - leaf.start;
      model.value[leaf.node] = (-leaf.sum / (n + lambda)) * params.learningRate;
    }
    // Update every training row (not only the sampled ones) by walking the binned values.
    const rootNode = root.node;
    for (let r = 0; r < rows; r++) {
      let nd = rootNode;
      const row = r * features;
      while (model.feature[nd] >= 0) nd = binned[row + model.feature[nd]] <= nodeBin[nd] ? model.left[nd] : model.right[nd];
      pred[r] += model.value[nd];
    }
    if (validation && validPred) {
      let loss = 0;
      for (let r = 0; r < validation.rows; r++) {
        validPred[r] += walk(model, rootNode, validation.X, r * features);
        const e = validPred[r] - validation.y[r];
        loss += e * e;
      }
      loss /= validation.rows;
      validationLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRounds = round + 1;
      } else if (round + 1 - bestRounds >= params.earlyStoppingRounds) break;
    }
  }
  const rounds = validation ? Math.max(1, bestRounds) : model.roots.length;
  if (rounds < model.roots.length) truncate(model, rounds);
  return { model, rounds, validationLoss };
}

function walk(model: GbdtModel, root: number, X: Float32Array, row: number): number {
  let nd = root;
  const { feature, threshold, left, right } = model;
  while (feature[nd] >= 0) nd = X[row + feature[nd]] <= threshold[nd] ? left[nd] : right[nd];
  return model.value[nd];
}

/** Trees are stored in order, so keeping the first `rounds` trees keeps a prefix of the nodes. */
function truncate(model: GbdtModel, rounds: number): void {
  const cut = model.roots[rounds];
  model.roots.length = rounds;
  for (const key of ['feature', 'threshold', 'left', 'right', 'value'] as const) model[key].length = cut;
}

/**
 * compileGbdt turns a stored model into a fast forward pass over row-major rows
 * (typed arrays, one loop per tree); it checks the node arrays so a corrupt
 * artifact fails at load time, not on a request.
 */
export function compileGbdt(model: GbdtModel): (X: Float32Array, row: number) => number {
  const n = model.feature.length;
  for (const key of ['threshold', 'left', 'right', 'value'] as const) {
    if (model[key].length !== n) throw new RangeError(`gbdt: ${key} has ${model[key].length} nodes, feature has ${n}`);
  }
  const feature = Int32Array.from(model.feature);
  const threshold = Float64Array.from(model.threshold);
  const left = Int32Array.from(model.left);
  const right = Int32Array.from(model.right);
  const value = Float64Array.from(model.value);
  const roots = Int32Array.from(model.roots);
  for (let i = 0; i < n; i++) {
    if (feature[i] >= model.features || (feature[i] >= 0 && !(left[i] > i && right[i] > i && left[i] < n && right[i] < n))) {
      throw new RangeError(`gbdt: node ${i} is malformed`);
    }
  }
  const base = model.base;
  return (X, row) => {
    let sum = base;
    for (let t = 0; t < roots.length; t++) {
      let nd = roots[t];
      while (feature[nd] >= 0) nd = X[row + feature[nd]] <= threshold[nd] ? left[nd] : right[nd];
      sum += value[nd];
    }
    return sum;
  };
}
