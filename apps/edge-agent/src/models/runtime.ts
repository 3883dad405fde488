import * as ort from 'onnxruntime-node';
import type { ModelCard, TensorSpec } from '@meridian/models';

/** A request's input does not fit the model card: the message names the tensor (answered 400). */
export class ModelInputError extends Error {}

export interface OutputTensor {
  dims: number[];
  data: number[];
}

const MAX_ELEMENTS = 1_000_000;

type TypedData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  // The gateway is shared with the factory's own software: keep inference off all but one core.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

/**
 * One model version loaded in ONNX Runtime. Loading checks the graph against the card (the same
 * input and output names) and runs one warm-up inference on zeros, so a version that cannot serve
 * is refused before it replaces anything. Release waits for inferences still running.
 */
export class LoadedModel {
  private inFlight = 0;
  private releaseRequested = false;
  private released = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly card: ModelCard,
  ) {}

  static async load(artifact: Uint8Array, card: ModelCard): Promise<LoadedModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(artifact, SESSION_OPTIONS);
    } catch (error) {
      throw new Error(`ONNX Runtime cannot load the artifact: ${firstLine(error)}`);
    }
    const model = new LoadedModel(session, card);
    try {
      const declared = card.inputs.map((i) => i.name).sort();
      const actual = [...session.inputNames].sort();
      if (declared.join() !== actual.join()) throw new Error(`the graph takes inputs [${actual.join(', ')}] but the card declares [${declared.join(', ')}]`);
      const missing = card.outputs.map((o) => o.name).filter((name) => !session.outputNames.includes(name));
      if (missing.length) throw new Error(`the graph has no output ${missing.join(', ')} declared by the card`);
      const zeros = Object.fromEntries(card.inputs.map((spec) => [spec.name, zeroTensor(spec)]));
      try {
        await session.run(zeros);
      } catch (error) {
        throw new Error(`warm-up inference failed: ${firstLine(error)}`);
      }
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
    return model;
  }

  /** Validates the request's named tensors against the card (ModelInputError names the tensor). */
  prepare(input: Record<string, unknown>): Record<string, ort.Tensor> {
    return toFeeds(this.card.inputs, input);
  }

  /** Runs prepared feeds; returns the card's outputs as plain arrays. */
  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, OutputTensor>> {
    if (this.released) throw new Error('model was unloaded');
    this.inFlight += 1;
    try {
      const results = await this.session.run(feeds);
      const out: Record<string, OutputTensor> = {};
      for (const spec of this.card.outputs) {
        const tensor = results[spec.name];
        if (!tensor) throw new Error(`the model produced no ${spec.name}`);
        // keys in canonical order: the output hash of every inference then serializes it without a sorted copy
        out[spec.name] = { data: Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v)), dims: tensor.dims.map(Number) };
      }
      return out;
    } finally {
      this.inFlight -= 1;
      if (this.releaseRequested && this.inFlight === 0) void this.doRelease();
    }
  }

  /** Frees the session once no inference uses it any more. */
  async release(): Promise<void> {
    this.releaseRequested = true;
    if (this.inFlight === 0) await this.doRelease();
  }

  private async doRelease(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release().catch(() => undefined);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // ORT prefixes messages with its source location; keep the part a person can act on.
  return message.split('\n')[0]!.replace(/^.*?\.cc:\d+ [^ ]+ /, '').slice(0, 500);
}

function zeroTensor(spec: TensorSpec): ort.Tensor {
  const dims = spec.shape.map((d) => (d === -1 ? 1 : d));
  const size = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor(ortType(spec.type), allocate(spec.type, size), dims);
}

function ortType(type: TensorSpec['type']): 'float32' | 'int64' | 'int32' | 'uint8' | 'bool' {
  return type;
}

function allocate(type: TensorSpec['type'], size: number): TypedData {
  switch (type) {
    case 'float32':
      return new Float32Array(size);
    case 'int64':
      return new BigInt64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'uint8':
    case 'bool':
      return new Uint8Array(size);
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** Turns the request's named tensors (nested arrays, or a flat array that fits the shape) into ORT feeds. */
export function toFeeds(specs: readonly TensorSpec[], input: Record<string, unknown>): Record<string, ort.Tensor> {
  const expected = specs.map((s) => s.name);
  for (const name of Object.keys(input)) {
    if (!expected.includes(name)) throw new ModelInputError(`input.${name}: the model has no input named ${name} (it takes ${expected.join(', ')})`);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of specs) {
    const value = input[spec.name];
    if (value === undefined) throw new ModelInputError(`input.${spec.name}: missing (the model takes ${expected.join(', ')})`);
    feeds[spec.name] = toTensor(spec, value);
  }
  return feeds;
}

function toTensor(spec: TensorSpec, value: unknown): ort.Tensor {
  const where = `input.${spec.name}`;
  const expectation = `expected a ${spec.type} tensor of shape ${shapeText(spec.shape)} (-1 = any size)`;
  if (!Array.isArray(value)) throw new ModelInputError(`${where}: ${expectation} as nested arrays, got ${value === null ? 'null' : typeof value}`);
  let dims = nestedDims(value, where);
  const flat = (value as unknown[]).flat(Infinity);
  if (dims.length === 1 && spec.shape.length > 1) dims = reshapeFlat(spec.shape, flat.length, where, expectation);
  if (dims.length !== spec.shape.length || dims.some((d, i) => spec.shape[i] !== -1 && spec.shape[i] !== d) || dims.some((d) => d === 0)) {
    throw new ModelInputError(`${where}: ${expectation}, got shape ${shapeText(dims)}`);
  }
  if (flat.length > MAX_ELEMENTS) throw new ModelInputError(`${where}: more than ${MAX_ELEMENTS} elements`);
  const data = allocate(spec.type, flat.length);
  for (let i = 0; i < flat.length; i += 1) {
    const element = flat[i];
    if (spec.type === 'bool') {
      if (typeof element !== 'boolean' && element !== 0 && element !== 1) throw new ModelInputError(`${where}: element ${i} is not a boolean`);
      (data as Uint8Array)[i] = element ? 1 : 0;
      continue;
    }
    if (typeof element !== 'number' || !Number.isFinite(element)) throw new ModelInputError(`${where}: element ${i} is not a finite number`);
    if (spec.type !== 'float32' && !Number.isInteger(element)) throw new ModelInputError(`${where}: element ${i} is not an integer (${spec.type})`);
    if (spec.type === 'uint8' && (element < 0 || element > 255)) throw new ModelInputError(`${where}: element ${i} is out of the uint8 range`);
    if (spec.type === 'int64') (data as BigInt64Array)[i] = BigInt(element);
    else (data as Float32Array | Int32Array | Uint8Array)[i] = element;
  }
  return new ort.Tensor(ortType(spec.type), data, dims);
}

/** The dimensions of a rectangular nested array; ragged arrays are refused. */
function nestedDims(value: unknown[], where: string): number[] {
  const dims: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) dims.push(level.length);
  const check = (node: unknown, depth: number, path: string): void => {
    if (depth === dims.length) {
      if (Array.isArray(node)) throw new ModelInputError(`${where}${path}: nested deeper than its siblings`);
      return;
    }
    if (!Array.isArray(node) || node.length !== dims[depth]) throw new ModelInputError(`${where}${path}: ragged array (expected ${dims[depth]} elements at depth ${depth})`);
    node.forEach((child, index) => check(child, depth + 1, `${path}[${index}]`));
  };
  check(value, 0, '');
  return dims;
}

function reshapeFlat(shape: readonly number[], length: number, where: string, expectation: string): number[] {
  const fixed = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const dynamic = shape.filter((d) => d === -1).length;
  if (dynamic > 1 || length % fixed !== 0 || (dynamic === 0 && length !== fixed)) {
    throw new ModelInputError(`${where}: ${expectation}; a flat array of ${length} elements does not fit`);
  }
  return shape.map((d) => (d === -1 ? length / fixed : d));
}
