export { MikroORM } from '@mikro-orm/postgresql';
export * from './orm-config.js';
export * from './boot-service.js';
export * from './orm-logger.js';
