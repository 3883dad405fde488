export * from './document';
export * from './merge';
export * from './decide';
export * from './bundle';
export * from './templates';
