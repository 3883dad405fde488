export * from './merkle';
export * from './chain';
export * from './checkpoint';
export * from './export';
export * from './export-stream';
export * from './export-verify-stream';
export * from './merkle-tiles';
export * from './sources';
