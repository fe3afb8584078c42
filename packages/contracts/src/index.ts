export * from './contracts.js';
export * from './grpc-invoker.js';
export * from './grpc-routes.js';
export * from './events.js';
export * from './asyncapi.js';
