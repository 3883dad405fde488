import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * A tiny ONNX writer: graphs described as plain objects, encoded with protobufjs from the
 * repository's own onnx-subset.proto. Same description in, same bytes out (no timestamps, no
 * random names, float32 weights as little-endian raw_data).
 */
export const IR_VERSION = 8;
export const OPSET = 17;

export type ElementType = 'float32' | 'int64';
const ELEMENT_TYPE: Record<ElementType, number> = { float32: 1, int64: 7 };

export interface ValueSpec {
  name: string;
  type: ElementType;
  /** A number is a fixed dimension; a string is a named dynamic one ("batch"). */
  shape: (number | string)[];
  doc?: string;
}

export interface Initializer {
  name: string;
  dims: number[];
  /** float32 values in row-major order. */
  values: number[];
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, number | number[]>;
  /** Integer attributes (axis, group...) are written as INT / INTS; everything else as FLOAT / FLOATS. */
  intAttributes?: string[];
}

export interface GraphSpec {
  name: string;
  doc: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers: Initializer[];
  nodes: NodeSpec[];
  metadata?: Record<string, string>;
}

let modelType: protobuf.Type | undefined;
function loadModelType(): protobuf.Type {
  // The .proto sits next to src/ and dist/ alike, so the writer works from either.
  modelType ??= new protobuf.Root().loadSync(path.join(__dirname, '..', 'proto', 'onnx-subset.proto'), { keepCase: true }).lookupType('onnx.ModelProto');
  return modelType;
}

function valueInfo(spec: ValueSpec): Record<string, unknown> {
  return {
    name: spec.name,
    ...(spec.doc ? { doc_string: spec.doc } : {}),
    type: {
      tensor_type: {
        elem_type: ELEMENT_TYPE[spec.type],
        shape: { dim: spec.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function attribute(name: string, value: number | number[], integer: boolean): Record<string, unknown> {
  if (Array.isArray(value)) return integer ? { name, type: 7, ints: value } : { name, type: 6, floats: value };
  return integer ? { name, type: 2, i: value } : { name, type: 1, f: value };
}

export function encodeModel(graph: GraphSpec, producerVersion: string): Buffer {
  for (const init of graph.initializers) {
    const expected = init.dims.reduce((a, b) => a * b, 1);
    if (init.values.length !== expected) throw new Error(`${graph.name}: initializer ${init.name} has ${init.values.length} values for dims [${init.dims}]`);
  }
  const Model = loadModelType();
  const message = {
    ir_version: IR_VERSION,
    producer_name: 'meridian-onnx-models',
    producer_version: producerVersion,
    domain: 'dev.meridian',
    model_version: 1,
    doc_string: graph.doc,
    opset_import: [{ domain: '', version: OPSET }],
    metadata_props: Object.entries(graph.metadata ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((node, index) => ({
        name: node.name ?? `${node.op.toLowerCase()}_${index}`,
        op_type: node.op,
        domain: '',
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value, node.intAttributes?.includes(name) ?? false)),
      })),
      initializer: graph.initializers.map((init) => ({
        name: init.name,
        dims: init.dims,
        data_type: ELEMENT_TYPE.float32,
        raw_data: Buffer.from(new Float32Array(init.values).buffer),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  const problem = Model.verify(message);
  if (problem) throw new Error(`${graph.name}: ${problem}`);
  return Buffer.from(Model.encode(Model.fromObject(message)).finish());
}
