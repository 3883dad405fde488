export * from './generated/meridian/agent/v1/agent';
export * from './auth';
export * from './limits';
