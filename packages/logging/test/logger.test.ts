import test from 'ava';
import { Writable } from 'node:stream';
import { createLogger, safeDatabaseMessage, safeErrorSerializer } from '../src/index.js';

/** A logger at debug level whose lines we keep. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('test', { level: 'debug', destination }), text: () => lines.join('\n') };
}

const PASSWORD = 'correct horse battery staple';
const TOKEN = 'eyJhbGciOiJFZERTQSJ9.secret-token-value';
const EMAIL = 'alice@example.test';

test('passwords, tokens, reset links and API tokens are redacted at every depth a log line nests them', (t) => {
  const { logger, text } = capture();
  logger.debug({ password: PASSWORD, token: TOKEN }, 'top level');
  logger.debug({ body: { user: { email: EMAIL, password: PASSWORD, currentPassword: PASSWORD } } }, 'a request body, three levels down');
  logger.debug({ req: { headers: { authorization: `Token ${TOKEN}`, cookie: `s=${TOKEN}`, 'dapr-api-token': TOKEN } } }, 'headers');
  logger.debug({ user: { refreshToken: TOKEN, accessToken: TOKEN } }, 'tokens');
  logger.debug({ mail: { link: `http://app.test/reset?token=${TOKEN}`, resetToken: TOKEN } }, 'a mail');
  logger.info({ a: { b: { c: { newPassword: PASSWORD } } } }, 'four levels');
  const out = text();
  t.false(out.includes(PASSWORD), 'no password');
  t.false(out.includes(TOKEN), 'no token');
  t.true(out.includes('[redacted]'));
  t.true(out.includes(EMAIL), 'other fields stay');
});

/** What MikroORM's DriverException carries after a failed insert: the statement with its values inlined, pg's detail with the row. */
function uniqueViolation() {
  const err = new Error(
    `insert into "account" ("id", "email", "username", "password_hash") values ('7a1c…', '${EMAIL}', 'alice', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA') - duplicate key value violates unique constraint "account_email_unique"\n - detail: Key (email)=(${EMAIL}) already exists.`,
  );
  class UniqueConstraintViolationException extends Error {}
  const wrapped = Object.assign(new UniqueConstraintViolationException(err.message), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (email)=(${EMAIL}) already exists.`,
    table: 'account',
    constraint: 'account_email_unique',
    routine: '_bt_check_unique',
    query: `insert into "account" ("email") values ($1)`,
    parameters: [EMAIL],
  });
  return wrapped;
}

test('a database error is logged by its SQLSTATE, table and constraint, never with the statement, its values or the row', (t) => {
  const { logger, text } = capture();
  const err = uniqueViolation();
  logger.error({ err }, 'unhandled error');
  logger.warn({ err: new Error('wrapper', { cause: err }) }, 'a cause');
  logger.warn({ cause: err }, 'as the error middleware logs a 5xx cause');
  const out = text();
  t.false(out.includes(EMAIL), 'no e-mail (a SQL parameter)');
  t.false(out.includes('argon2id'), 'no password hash');
  t.false(out.includes('insert into'), 'no statement');
  for (const kept of ['23505', 'account_email_unique', 'duplicate key value violates unique constraint', 'UniqueConstraintViolationException']) {
    t.true(out.includes(kept), kept);
  }
  t.like(safeErrorSerializer(err) as object, { code: '23505', table: 'account', constraint: 'account_email_unique' });
});

test("values the database quotes in its own message are masked too (invalid input syntax for type uuid: \"…\")", (t) => {
  t.is(safeDatabaseMessage(`select * from "session" where "id" = 'secret-token' - invalid input syntax for type uuid: "secret-token"`), 'invalid input syntax for type uuid: "…"');
  t.is(safeDatabaseMessage('update account set x = 1'), 'database statement failed');
  t.is(
    safeDatabaseMessage(`insert into "t" ("email") values ('a@b.test') - duplicate key value violates unique constraint "t_email_key"\n - detail: Key (email)=(a@b.test) already exists.`),
    'duplicate key value violates unique constraint "…"',
    'MikroORM appends the detail (with the row) to the message',
  );
  t.is(safeDatabaseMessage('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432');
});

test('ordinary errors keep their message and stack, minus any SQL or parameters attached to them', (t) => {
  const err = Object.assign(new Error('SMTP binding answered HTTP 500'), { status: 500, bindings: [EMAIL], query: 'select 1 where x = $1' });
  const out = safeErrorSerializer(err) as Record<string, unknown>;
  t.is(out.message, 'SMTP binding answered HTTP 500');
  t.is(out.status, 500);
  t.is(out.bindings, undefined);
  t.is(out.query, undefined);
  t.truthy(out.stack);
});
