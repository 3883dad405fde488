import type { ModelCard } from '@meridian/models';
import type { GraphSpec } from './onnx';

/** One model version the repository ships: its graph, its card and the samples that prove it. */
export interface CatalogEntry {
  name: string;
  version: string;
  graph: GraphSpec;
  card: ModelCard;
  /** A deliberately unloadable artifact (for failed-activation tests); its samples are not run. */
  broken?: boolean;
}

export interface Sample {
  name: string;
  description: string;
  /** Named input tensors as nested arrays, exactly what POST /v1/infer takes as `input`. */
  input: Record<string, unknown>;
  /** What the model must answer, checked by the generator's tests. */
  expect: { output: string; index: number; above?: number; below?: number };
}

// ---------------------------------------------------------------------------------------------
// Predictive maintenance: pump anomaly scorer.
// Features per row: vibration RMS (mm/s), vibration peak (g), bearing temperature (°C), motor
// current (A). Standardised with fixed fleet statistics, weighted, squashed into a 0..1 score.
// ---------------------------------------------------------------------------------------------
const PUMP_FEATURES = ['vibration_rms_mm_s', 'vibration_peak_g', 'bearing_temp_c', 'motor_current_a'];
const PUMP_MEAN = [2.0, 0.5, 55.0, 12.0];
const PUMP_STD = [0.5, 0.15, 5.0, 1.5];

function pumpGraph(weights: number[], bias: number, version: string): GraphSpec {
  return {
    name: 'pump_anomaly',
    doc: `Pump anomaly score ${version}: sigmoid(w · ((x - mean) / std) + b). Features: ${PUMP_FEATURES.join(', ')}.`,
    inputs: [{ name: 'features', type: 'float32', shape: ['batch', 4], doc: PUMP_FEATURES.join(', ') }],
    outputs: [{ name: 'anomaly_score', type: 'float32', shape: ['batch', 1], doc: '0 = normal, 1 = anomalous' }],
    initializers: [
      { name: 'mean', dims: [4], values: PUMP_MEAN },
      { name: 'std', dims: [4], values: PUMP_STD },
      { name: 'weights', dims: [4, 1], values: weights },
      { name: 'bias', dims: [1], values: [bias] },
    ],
    nodes: [
      { op: 'Sub', inputs: ['features', 'mean'], outputs: ['centred'] },
      { op: 'Div', inputs: ['centred', 'std'], outputs: ['standardised'] },
      { op: 'MatMul', inputs: ['standardised', 'weights'], outputs: ['weighted'] },
      { op: 'Add', inputs: ['weighted', 'bias'], outputs: ['logit'] },
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['anomaly_score'] },
    ],
    metadata: { task: 'predictive_maintenance', version },
  };
}

const pumpCard = (auc: number): ModelCard => ({
  task: 'predictive_maintenance',
  intendedUse: 'Flags centrifugal pumps whose vibration, bearing temperature and motor current drift away from fleet norms, so maintenance can be planned before a failure.',
  limitations: 'Fixed fleet statistics; not calibrated for pumps outside 5-30 kW. A score is a prompt to inspect, not a diagnosis.',
  inputCategories: ['equipment_telemetry'],
  outputCategory: 'model_outputs',
  inputs: [{ name: 'features', type: 'float32', shape: [-1, 4], description: `one row per reading: ${PUMP_FEATURES.join(', ')}` }],
  outputs: [{ name: 'anomaly_score', type: 'float32', shape: [-1, 1], description: 'probability-like anomaly score, 0..1' }],
  trainingData: { summary: 'Synthetic fleet statistics (means and deviations of healthy pumps); weights set by hand for the demo.', sources: ['synthetic'] },
  evaluation: { auc },
  exportClassification: 'EAR99',
});

export const PUMP_SAMPLES: Sample[] = [
  {
    name: 'normal',
    description: 'A healthy pump at fleet averages.',
    input: { features: [[2.0, 0.5, 55.0, 12.0]] },
    expect: { output: 'anomaly_score', index: 0, below: 0.2 },
  },
  {
    name: 'anomalous',
    description: 'Bearing wear: vibration and temperature far above normal.',
    input: { features: [[4.5, 1.4, 78.0, 16.0]] },
    expect: { output: 'anomaly_score', index: 0, above: 0.9 },
  },
];

// ---------------------------------------------------------------------------------------------
// Visual inspection: 8x8 grayscale patch classifier {ok, defect}.
// Two 3x3 Laplacian filters (positive and negative response) pick up sharp local contrast —
// scratches and spots — which smooth, good surfaces lack; their mean strength decides.
// ---------------------------------------------------------------------------------------------
export const INSPECTION_LABELS = ['ok', 'defect'];
const LAPLACIAN = [-1, -1, -1, -1, 8, -1, -1, -1, -1];

function inspectionGraph(sensitivity: number, version: string): GraphSpec {
  return {
    name: 'inspection_classifier',
    doc: `Surface patch classifier ${version}: Conv(Laplacian ±) → Relu → GlobalAveragePool → MatMul → Softmax over {${INSPECTION_LABELS.join(', ')}}.`,
    inputs: [{ name: 'image', type: 'float32', shape: ['batch', 1, 8, 8], doc: 'grayscale 0..1' }],
    outputs: [{ name: 'probabilities', type: 'float32', shape: ['batch', 2], doc: INSPECTION_LABELS.join(', ') }],
    initializers: [
      { name: 'edge_kernels', dims: [2, 1, 3, 3], values: [...LAPLACIAN, ...LAPLACIAN.map((v) => -v)] },
      { name: 'edge_bias', dims: [2], values: [0, 0] },
      { name: 'class_weights', dims: [2, 2], values: [-sensitivity, sensitivity, -sensitivity, sensitivity] },
      { name: 'class_bias', dims: [2], values: [2, -2] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['image', 'edge_kernels', 'edge_bias'], outputs: ['edges'], attributes: { kernel_shape: [3, 3] }, intAttributes: ['kernel_shape'] },
      { op: 'Relu', inputs: ['edges'], outputs: ['edge_strength'] },
      { op: 'GlobalAveragePool', inputs: ['edge_strength'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['pooled_flat'], attributes: { axis: 1 }, intAttributes: ['axis'] },
      { op: 'MatMul', inputs: ['pooled_flat', 'class_weights'], outputs: ['class_logits'] },
      { op: 'Add', inputs: ['class_logits', 'class_bias'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 }, intAttributes: ['axis'] },
    ],
    metadata: { task: 'visual_inspection', labels: INSPECTION_LABELS.join(','), version },
  };
}

const inspectionCard: ModelCard = {
  task: 'visual_inspection',
  intendedUse: 'Sorts 8x8 grayscale surface patches from the line camera into ok and defect (scratches, pits) for a human to review.',
  limitations: 'Tiny demonstration network: sensitive to any sharp contrast, including dust and labels. Not for safety-critical rejection without review.',
  inputCategories: ['inspection_images'],
  outputCategory: 'model_outputs',
  inputs: [{ name: 'image', type: 'float32', shape: [-1, 1, 8, 8], description: 'grayscale patch, values 0 (black) .. 1 (white)' }],
  outputs: [{ name: 'probabilities', type: 'float32', shape: [-1, 2], description: `class probabilities: ${INSPECTION_LABELS.join(', ')}` }],
  trainingData: { summary: 'Hand-set Laplacian filters and thresholds; checked on synthetic patches.', sources: ['synthetic'] },
  evaluation: { accuracy_synthetic: 1 },
  exportClassification: 'EAR99',
};

/** A smooth, lightly textured surface: a gentle gradient with a small deterministic ripple. */
function surface(): number[][] {
  return Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, c) => round(0.45 + 0.02 * r + 0.01 * c + 0.01 * (((r * 3 + c * 5) % 4) - 1.5))));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function scratched(): number[][] {
  const patch = surface();
  for (let c = 1; c < 7; c += 1) patch[4]![c] = 0.05;
  return patch;
}

export const INSPECTION_SAMPLES: Sample[] = [
  { name: 'ok', description: 'A clean surface patch.', input: { image: [[surface()]] }, expect: { output: 'probabilities', index: 1, below: 0.2 } },
  { name: 'defect', description: 'A dark horizontal scratch across the patch.', input: { image: [[scratched()]] }, expect: { output: 'probabilities', index: 1, above: 0.9 } },
];

/** An ONNX file that parses but cannot be loaded: its only node reads a value nothing defines. */
function brokenGraph(): GraphSpec {
  const graph = pumpGraph([1, 1, 1, 1], 0, 'broken');
  return { ...graph, doc: 'Deliberately broken: the Sigmoid reads an undefined value, so ONNX Runtime refuses to load it.', nodes: [...graph.nodes.slice(0, -1), { op: 'Sigmoid', inputs: ['undefined_value'], outputs: ['anomaly_score'] }] };
}

export const CATALOG: CatalogEntry[] = [
  { name: 'pump-anomaly', version: '1.0.0', graph: pumpGraph([1.2, 1.0, 0.9, 0.6], -4.0, '1.0.0'), card: pumpCard(0.91) },
  { name: 'pump-anomaly', version: '1.1.0', graph: pumpGraph([1.1, 1.1, 1.0, 0.5], -3.5, '1.1.0'), card: pumpCard(0.93) },
  { name: 'pump-anomaly', version: 'broken', graph: brokenGraph(), card: pumpCard(0), broken: true },
  { name: 'inspection-classifier', version: '1.0.0', graph: inspectionGraph(6, '1.0.0'), card: inspectionCard },
];

export const SAMPLES: Record<string, Sample[]> = { 'pump-anomaly': PUMP_SAMPLES, 'inspection-classifier': INSPECTION_SAMPLES };
