import test from 'ava';
import fc from 'fast-check';
import { z } from 'zod';
import { AppError } from '@vcd/errors';
import { fieldErrors, parseOrThrow, text } from '../src/index.js';

/**
 * validate.ts: zod issues as RealWorld field errors ({ "title": ["can't be blank"] }), parseOrThrow's 422, and the
 * `text()` string field. What they promise: the field a client sent is named without the body's envelope, every
 * issue lands under its field in order, a missing value reads "can't be blank", and no field name (whatever a
 * client put in a key) breaks the mapping.
 */

const issue = (path: PropertyKey[], message: string): z.core.$ZodIssue => ({ code: 'custom', path, message, input: undefined });
const zodError = (issues: z.core.$ZodIssue[]) => new z.ZodError(issues);

/** Names an Object.prototype member or the prototype itself: keys a client may send that a plain {} already "has". */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'];

const unprocessable = (t: import('ava').ExecutionContext, fn: () => unknown) => {
  const error = t.throws(fn, { instanceOf: AppError });
  t.is(error?.status, 422);
  t.is(error?.code, 'VALIDATION_FAILED');
  return error?.fields;
};

test('the envelope is stripped from nested paths; a single segment is kept; the root is "body"', (t) => {
  t.deepEqual(fieldErrors(zodError([issue(['user', 'email'], 'is invalid')])), { email: ['is invalid'] });
  t.deepEqual(fieldErrors(zodError([issue(['article', 'author', 'bio'], 'x')])), { 'author.bio': ['x'] });
  t.deepEqual(fieldErrors(zodError([issue(['article', 'tagList', 1], 'is too long')])), { 'tagList.1': ['is too long'] });
  t.deepEqual(fieldErrors(zodError([issue(['user'], 'is required')])), { user: ['is required'] }, 'the envelope itself');
  t.deepEqual(fieldErrors(zodError([issue([], 'is required')])), { body: ['is required'] });
});

test('without stripping the whole path is the field name', (t) => {
  t.deepEqual(fieldErrors(zodError([issue(['user', 'email'], 'is invalid')]), false), { 'user.email': ['is invalid'] });
  t.deepEqual(fieldErrors(zodError([issue(['a', 0, 'b'], 'x')]), false), { 'a.0.b': ['x'] });
  t.deepEqual(fieldErrors(zodError([issue([], 'x')]), false), { body: ['x'] });
});

test('issues on one field collect in order; different fields stay apart', (t) => {
  const out = fieldErrors(zodError([issue(['user', 'password'], 'is too short'), issue(['user', 'email'], 'is invalid'), issue(['user', 'password'], 'needs a digit')]));
  t.deepEqual(out, { password: ['is too short', 'needs a digit'], email: ['is invalid'] });
});

test('a missing value reads "can\'t be blank"; every other message is kept as zod or the schema wrote it', (t) => {
  const schema = z.object({ user: z.object({ email: z.string(), age: z.number(), name: z.string().min(3, 'is too short') }) });
  const out = fieldErrors(schema.safeParse({ user: { age: 'old', name: 'x' } }).error!);
  t.deepEqual(out.email, ["can't be blank"]);
  t.is(out.age?.length, 1);
  t.notDeepEqual(out.age, ["can't be blank"], 'a wrong type is not a blank');
  t.deepEqual(out.name, ['is too short']);
});

test('field names that Object.prototype already has are fields like any other, and nothing is polluted', (t) => {
  for (const key of PROTOTYPE_KEYS) {
    const out = fieldErrors(zodError([issue(['preferences', key], 'must be a number'), issue(['preferences', key], 'again'), issue([key], 'top')]));
    t.deepEqual(Object.getOwnPropertyDescriptor(out, key)?.value, ['must be a number', 'again', 'top'], key);
    t.is(Object.getPrototypeOf(out), Object.prototype, key);
    t.deepEqual(Object.keys(out), [key]);
    t.deepEqual(JSON.parse(JSON.stringify(out)), JSON.parse(`{${JSON.stringify(key)}:["must be a number","again","top"]}`), `${key} serialises as a field`);
  }
  t.is(({} as Record<string, unknown>).length, undefined);
  t.is(typeof Object.prototype.toString, 'function');
});

test('any issues map to exactly one list per field, holding that field\'s messages in order (property)', (t) => {
  const segment = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...PROTOTYPE_KEYS), fc.nat(20));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.array(segment, { maxLength: 4 }), fc.string({ maxLength: 10 })), { maxLength: 12 }), fc.boolean(), (issues, strip) => {
      const expected = new Map<string, string[]>();
      for (const [path, message] of issues) {
        const names = path.map(String);
        const field = (strip && names.length > 1 ? names.slice(1) : names).join('.') || 'body';
        expected.set(field, [...(expected.get(field) ?? []), message]);
      }
      const out = fieldErrors(zodError(issues.map(([path, message]) => issue(path, message))), strip);
      t.deepEqual(
        Object.getOwnPropertyNames(out).sort(),
        [...expected.keys()].sort(),
      );
      for (const [field, messages] of expected) t.deepEqual(Object.getOwnPropertyDescriptor(out, field)?.value, messages, field);
    }),
    { numRuns: 500 },
  );
});

test('parseOrThrow returns the parsed value, with the schema\'s defaults and coercions applied', (t) => {
  const schema = z.object({ limit: z.coerce.number().int().default(20), offset: z.coerce.number().default(0), tag: z.string().optional() });
  t.deepEqual(parseOrThrow(schema, { limit: '5' }, 'query'), { limit: 5, offset: 0 });
  t.deepEqual(parseOrThrow(schema, undefined, 'query'), { limit: 20, offset: 0 }, 'a missing query is an empty one');
  t.deepEqual(parseOrThrow(schema, undefined, 'params'), { limit: 20, offset: 0 });
  t.deepEqual(parseOrThrow(schema, null, 'headers'), { limit: 20, offset: 0 });
  const strip = z.object({ user: z.object({ email: z.string() }) });
  t.deepEqual(parseOrThrow(strip, { user: { email: 'a@b.c', role: 'admin' }, extra: 1 }, 'body'), { user: { email: 'a@b.c' } }, 'unknown keys dropped');
});

test('parseOrThrow throws a 422 whose fields drop the envelope for bodies only', (t) => {
  const schema = z.object({ outer: z.object({ inner: z.string().min(2, 'is too short') }) });
  t.deepEqual(unprocessable(t, () => parseOrThrow(schema, { outer: { inner: 'x' } }, 'body')), { inner: ['is too short'] });
  for (const part of ['query', 'params', 'headers'] as const) {
    t.deepEqual(unprocessable(t, () => parseOrThrow(schema, { outer: { inner: 'x' } }, part)), { 'outer.inner': ['is too short'] }, part);
  }
});

test('a missing or null body is one "can\'t be blank" on "body"; a body of the wrong shape names what is wrong', (t) => {
  const schema = z.object({ article: z.object({ title: text() }) });
  t.deepEqual(unprocessable(t, () => parseOrThrow(schema, undefined, 'body')), { body: ["can't be blank"] });
  t.deepEqual(unprocessable(t, () => parseOrThrow(schema, null, 'body')), { body: ["can't be blank"] });
  t.deepEqual(unprocessable(t, () => parseOrThrow(schema, {}, 'body')), { article: ["can't be blank"] });
  t.deepEqual(unprocessable(t, () => parseOrThrow(schema, { article: {} }, 'body')), { title: ["can't be blank"] });
  t.deepEqual(Object.keys(unprocessable(t, () => parseOrThrow(schema, [], 'body'))!), ['body']);
  t.deepEqual(Object.keys(unprocessable(t, () => parseOrThrow(schema, 'article', 'body'))!), ['body']);
});

test('text(): missing or null "can\'t be blank", any other type "must be a string", its own checks keep their words', (t) => {
  const schema = z.object({ article: z.object({ title: text() }) });
  const errorsFor = (title: unknown, s: z.ZodType = schema) => unprocessable(t, () => parseOrThrow(s, { article: title === undefined ? {} : { title } }, 'body'));
  t.deepEqual(errorsFor(undefined), { title: ["can't be blank"] });
  t.deepEqual(errorsFor(null), { title: ["can't be blank"] });
  for (const wrong of [0, 1.5, true, false, {}, [], ['a'], { toString: 'x' }]) t.deepEqual(errorsFor(wrong), { title: ['must be a string'] }, JSON.stringify(wrong));
  const checked = z.object({ article: z.object({ title: text().min(1, 'is too short') }) });
  t.deepEqual(errorsFor('', checked), { title: ['is too short'] });
  t.deepEqual(errorsFor(undefined, checked), { title: ["can't be blank"] });
  t.deepEqual(parseOrThrow(checked, { article: { title: 'ok' } }, 'body'), { article: { title: 'ok' } });
});

test('text(): every JSON value is either a string that passes or a "must be a string" / "can\'t be blank" (property)', (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const result = text().safeParse(value);
      if (typeof value === 'string') t.true(result.success);
      else t.deepEqual(result.error?.issues.map((i) => i.message), [value === null ? "can't be blank" : 'must be a string']);
    }),
  );
});

test('any JSON body against a schema with records: a value or a 422 with string lists, never another error (property)', (t) => {
  const schema = z.object({
    article: z.object({ title: text(), tagList: z.array(text()).max(3).optional(), reactions: z.record(z.string(), z.number().int()).optional() }),
  });
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTOTYPE_KEYS));
  const leaf = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  const body = fc.oneof(
    value,
    fc.record({ article: fc.oneof(value, fc.record({ title: value, tagList: value, reactions: fc.dictionary(key, value, { maxKeys: 5 }) }, { requiredKeys: [] })) }),
  );
  fc.assert(
    fc.property(body, (raw) => {
      // Keys come in as own data properties, the way JSON.parse makes them (also "__proto__").
      const input: unknown = JSON.parse(JSON.stringify(raw));
      try {
        parseOrThrow(schema, input, 'body');
      } catch (err) {
        t.true(err instanceof AppError && err.status === 422, String(err));
        for (const messages of Object.values((err as AppError).fields ?? {})) t.true(Array.isArray(messages) && messages.every((m) => typeof m === 'string'));
      }
    }),
    { numRuns: 500 },
  );
});
