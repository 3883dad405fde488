export * from './passwords';
export * from './secrets';
export * from './ed25519';
export * from './sealed';
