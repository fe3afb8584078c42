export * from './outbox.entity.js';
export * from './outbox.js';
export * from './inbox.js';
export * from './batch-worker.js';
export * from './unit-of-work.js';
