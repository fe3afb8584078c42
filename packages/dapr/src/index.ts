export * from './sidecar.js';
export * from './subscriptions.js';
