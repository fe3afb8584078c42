import { DefaultLogger, type LogContext, type LoggerNamespace, type LoggerOptions } from '@mikro-orm/core';
import type { Logger } from '@vcd/logging';

/**
 * MikroORM's logger for our services: it never enables `query-params` (statements are logged with `$1`
 * placeholders, never with the values bound to them: e-mails, token hashes, bodies), whatever `debug`,
 * MIKRO_ORM_DEBUG or a per-query `logging: { enabled: true }` ask for, and it writes into the service's pino
 * logger at debug level (so LOG_LEVEL=debug shows queries, in the same JSON lines as the rest).
 */
export class SafeOrmLogger extends DefaultLogger {
  constructor(options: LoggerOptions, private readonly sink?: Logger) {
    super({ ...options, highlighter: undefined, writer: sink ? (message) => sink.debug({ orm: true }, stripColours(message)) : options.writer });
  }

  override isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    if (namespace === 'query-params') return false;
    return super.isEnabled(namespace, context);
  }

  override logQuery(context: { query: string } & LogContext): void {
    // Only the statement text and its timing: the context also carries `params`, which must never be written.
    super.logQuery({ ...context, params: undefined });
  }
}

 
const stripColours = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** MikroORM `debug` namespaces for a pino level: queries (placeholders only) and ORM info at debug, nothing else. */
export const ormDebugFor = (logger?: Logger): LoggerNamespace[] | false =>
  logger?.isLevelEnabled('debug') ? ['query', 'info'] : false;
