export * from './merkle';
export * from './chain';
export * from './checkpoint';
export * from './export';
