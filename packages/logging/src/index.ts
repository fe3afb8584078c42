import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never belong in a log, at any of the first four levels of a logged object (pino's redaction
 * has no recursive wildcard). Nothing logs request bodies, tokens or passwords on purpose; this is the net under
 * a future mistake (`logger.info({ body })`, an error carrying its request).
 */
export const SENSITIVE_KEYS = [
  'password', 'currentPassword', 'newPassword', 'passwordHash', 'password_hash',
  'token', 'accessToken', 'refreshToken', 'resetToken', 'verificationToken', 'apiToken', 'appApiToken', 'daprApiToken',
  'secret', 'secrets', 'authorization', 'cookie', 'set-cookie', 'dapr-api-token', 'x-api-key',
  'link', 'resetLink', 'verifyLink', 'clientUrl', 'databaseUrl',
  // SQL parameters, as query builders and drivers attach them to errors and query events.
  'params', 'parameters', 'bindings', 'values',
];

const keyPath = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);
export const REDACT_PATHS = SENSITIVE_KEYS.flatMap((key) => {
  const tail = keyPath(key);
  return [tail.startsWith('.') ? tail.slice(1) : tail, `*${tail}`, `*.*${tail}`, `*.*.*${tail}`];
});

/** SQL keywords a statement starts with, as drivers prefix it to their error messages. */
const SQL_START = /^\s*(select|insert|update|delete|with|alter|create|drop|truncate|begin|commit|rollback|savepoint|release|lock|set|copy)\b/i;
/** Quoted runs in a database message: values ('…', "…" in "invalid input syntax for type uuid: \"…\"") and names. */
const QUOTED = /'(?:[^']|'')*'|"(?:[^"]|"")*"/g;
/** Error properties that carry SQL text or its parameters (any error: query builders attach them). */
const SQL_PROPS = new Set(['sql', 'query', 'parameters', 'params', 'bindings', 'values', 'internalQuery']);
/** What is worth keeping of a database error: which rule it broke, never the data. */
const DB_KEEP = ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'];

type Obj = Record<string, unknown>;

/** Whether an error comes from the database or its driver (pg's DatabaseError, MikroORM's DriverException, knex). */
const isDatabaseError = (e: Obj): boolean =>
  (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && ('severity' in e || 'routine' in e || 'sqlState' in e)) ||
  (typeof e.message === 'string' && SQL_START.test(e.message)) ||
  typeof e.sql === 'string';

/**
 * The database's own words, without the statement drivers prepend ("insert … values (…) - duplicate key …"),
 * without the detail and hint MikroORM appends ("\n - detail: Key (email)=(…) already exists."), and with quoted
 * runs masked.
 */
export function safeDatabaseMessage(message: string): string {
  let text = message.replace(/\n - (?:detail|hint): [\s\S]*$/, '');
  if (SQL_START.test(text)) {
    const cut = text.lastIndexOf(' - ');
    text = cut >= 0 ? text.slice(cut + 3) : 'database statement failed';
  }
  return text.replace(QUOTED, (q) => `${q[0]}…${q[0]}`);
}

const framesOf = (stack: unknown) =>
  typeof stack === 'string' ? stack.split('\n').filter((l) => l.trim().startsWith('at ')).join('\n') : undefined;

/**
 * pino's error serializer, made safe for SQL: a database error keeps its type, SQLSTATE, constraint, table and
 * stack frames, and loses the statement, its parameters and the row in `detail`. Causes are treated the same.
 */
export function safeErrorSerializer(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) return err;
  const e = err as Obj;
  const cause = depth < 5 && e.cause !== undefined ? safeErrorSerializer(e.cause, depth + 1) : undefined;
  if (isDatabaseError(e)) {
    const type = (e.constructor as { name?: string } | undefined)?.name ?? 'Error';
    const message = safeDatabaseMessage(String(e.message ?? ''));
    const out: Obj = { type, message };
    for (const k of DB_KEEP) if (e[k] !== undefined && e[k] !== null) out[k] = k === 'code' || k === 'severity' ? e[k] : String(e[k]);
    const frames = framesOf(e.stack);
    out.stack = frames ? `${type}: ${message}\n${frames}` : `${type}: ${message}`;
    if (cause !== undefined) out.cause = cause;
    return out;
  }
  if (!(err instanceof Error)) return err;
  // Like pino's own serializer, except that causes stay separate (pino folds their messages and stacks into the
  // error's own, which would carry a database cause's statement along) and SQL properties are left out.
  const out: Obj = { type: err.constructor?.name ?? 'Error', message: err.message, stack: err.stack };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'cause' || SQL_PROPS.has(k) || k in out) continue;
    out[k] = v instanceof Error ? safeErrorSerializer(v, depth + 1) : v;
  }
  if (cause !== undefined) out.cause = cause;
  return out;
}

/**
 * The trace and span of the code that logs (OpenTelemetry's active span), on every line written inside a trace:
 * a request's lines, and an event consumer's, share the trace id of the request that caused them.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** The options every service's logger uses (exported so that tests can check them). */
export function loggerOptions(service: string, level?: string): LoggerOptions {
  return {
    name: service,
    level: level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
    serializers: { err: (e: unknown) => safeErrorSerializer(e), error: (e: unknown) => safeErrorSerializer(e), cause: (e: unknown) => safeErrorSerializer(e) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/** JSON logs on stdout (or `destination`); the dev runner prefixes and colours them per process. */
export function createLogger(service: string, options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const opts = loggerOptions(service, options.level);
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
