export * from './domain-error.js';
export * from './domain-to-http.js';
export * from './app-error.js';
export * from './problem-details.js';
export * from './realworld-errors.js';
export * from './error-middleware.js';
