export * from './manifest';
export * from './semver';
export * from './states';
