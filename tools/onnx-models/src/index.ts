export * from './catalog';
export * from './generate';
export * from './onnx';
