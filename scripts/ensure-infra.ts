/**
 * Part of scripts/bootstrap.sh: makes sure PostgreSQL answers on 127.0.0.1:5432 (installed with apt and started
 * when it does not, local TCP trusted for development) and that Debian's redis-server is installed (each stack
 * starts a Redis of its own). The stack launcher only checks (scripts/runner/infra.ts, requireInfrastructure).
 */
import { ensurePostgres, ensureRedisInstalled } from './runner/infra.js';

const say = (msg: string) => process.stderr.write(`\x1b[1m[bootstrap]\x1b[0m ${msg}\n`);
await Promise.all([ensurePostgres(say), ensureRedisInstalled(say)]);
