import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** JSON logs on stdout; the dev runner prefixes and colours them per process. */
export function createLogger(service: string, options: { level?: string } = {}): Logger {
  const opts: LoggerOptions = {
    name: service,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["dapr-api-token"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
  };
  return pino(opts);
}
