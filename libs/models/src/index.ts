export * from './manifest';
export * from './semver';
export * from './states';
export * from './rollout-plan';
