export * from './app-error.js';
export * from './problem-details.js';
export * from './error-middleware.js';
