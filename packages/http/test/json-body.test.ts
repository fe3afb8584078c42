import test from 'ava';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import Koa, { type Context } from 'koa';
import { AppError, errorMiddleware } from '@vcd/errors';
import { DEFAULT_BODY_LIMIT, isSafeText, readJsonBody, readRawBody } from '../src/index.js';

/**
 * readJsonBody / readRawBody: the bytes a service or the gateway accepts as a request body. What they promise: at
 * most `limit` bytes (counted as bytes, declared or sent, never buffering more), an empty body is no body, a
 * non-empty body must be declared JSON (or not declared at all) and parse as one JSON document; every refusal is an
 * AppError with its status, never anything else.
 */

/** A Koa-like context: `get` answers '' for an absent header (as Koa does), `req` yields the chunks as sent. */
function fakeCtx(chunks: Buffer[] | AsyncIterable<Buffer>, headers: Record<string, string> = {}): Context {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req = Array.isArray(chunks) ? Readable.from(chunks) : chunks;
  return { get: (name: string) => lower.get(name.toLowerCase()) ?? '', req } as unknown as Context;
}

const json = (text: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => fakeCtx([Buffer.from(text)], headers);

/** Cuts a buffer at the given offsets (any byte, also inside a multi-byte character). */
const cut = (buf: Buffer, offsets: number[]) => {
  const at = [...new Set(offsets.map((o) => o % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const o of at) {
    parts.push(buf.subarray(from, o));
    from = o;
  }
  parts.push(buf.subarray(from));
  return parts.filter((p) => p.length > 0);
};

async function refusal(t: import('ava').ExecutionContext, promise: Promise<unknown>, status: number, code: string) {
  const error = await t.throwsAsync(promise, { instanceOf: AppError });
  t.is(error?.status, status);
  t.is(error?.code, code);
  t.is(error?.subject?.subject, 'body');
  return error;
}

test('any JSON document comes back as JSON.parse gives it, however the bytes are cut into chunks (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 8 }), async (value, offsets) => {
      const text = JSON.stringify(value);
      const parts = cut(Buffer.from(text, 'utf8'), offsets);
      t.deepEqual(await readJsonBody(fakeCtx(parts, { 'content-type': 'application/json' })), JSON.parse(text));
    }),
    { numRuns: 300 },
  );
});

test('text is decoded as UTF-8 after all chunks arrived: a character split between chunks stays whole', async (t) => {
  const text = JSON.stringify({ title: 'Grüße 😀 𝄞 中文' });
  const bytes = Buffer.from(text);
  for (let i = 1; i < bytes.length; i++) {
    t.deepEqual(await readJsonBody(fakeCtx([bytes.subarray(0, i), bytes.subarray(i)])), { title: 'Grüße 😀 𝄞 中文' }, `cut at byte ${i}`);
  }
});

test('an empty body is no body (undefined), whatever its headers say', async (t) => {
  t.is(await readJsonBody(fakeCtx([])), undefined);
  t.is(await readJsonBody(fakeCtx([], { 'content-type': 'application/json', 'content-length': '0' })), undefined);
  t.is(await readJsonBody(fakeCtx([], { 'content-type': 'text/plain' })), undefined, 'no body, nothing to refuse');
  t.is(await readJsonBody(fakeCtx([Buffer.alloc(0), Buffer.alloc(0)])), undefined, 'empty chunks');
});

test('JSON media types are accepted in any case and with parameters; no content type at all is read as JSON', async (t) => {
  for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json;charset=UTF-8', 'application/problem+json', 'application/vnd.api+json']) {
    t.deepEqual(await readJsonBody(json('{"a":1}', { 'content-type': type })), { a: 1 }, type);
  }
  t.deepEqual(await readJsonBody(json('{"a":1}', {})), { a: 1 }, 'no content-type header');
});

test('a body declared as anything but JSON is refused with 415, before it is parsed', async (t) => {
  for (const type of ['text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'image/png']) {
    const error = await refusal(t, readJsonBody(json('{"a":1}', { 'content-type': type })), 415, 'UNSUPPORTED_MEDIA_TYPE');
    t.is(error?.subject?.reason, 'must be JSON (application/json)', type);
  }
  await refusal(t, readJsonBody(json('a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' })), 415, 'UNSUPPORTED_MEDIA_TYPE');
});

test('malformed JSON is refused with 400: syntax errors, JavaScript that is not JSON, two documents, a BOM, raw control bytes', async (t) => {
  const bad = [
    '{',
    '}',
    '{"a":1,}',
    "{'a':1}",
    '{a:1}',
    'undefined',
    'NaN',
    'Infinity',
    '01',
    '{"a":1}{"b":2}',
    '{"a":1} x',
    '// comment\n{}',
    '{"a":/* c */1}',
    ' ',
    '\n\t\r ',
    '\uFEFF{"a":1}',
    '{"a":"x\u0000y"}', // a raw NUL byte inside a string (escaped as \\u0000 it would be JSON)
    '{"a":"line\nbreak"}',
    '\u0000',
    '"\\x41"',
    '"\\ud800', // an unterminated string
  ];
  for (const text of bad) {
    const error = await refusal(t, readJsonBody(json(text)), 400, 'MALFORMED_JSON');
    t.is(error?.subject?.reason, 'is not valid JSON', JSON.stringify(text));
  }
});

test('JSON in another encoding (UTF-16, UTF-32) is not guessed at: its NUL bytes make it malformed', async (t) => {
  const doc = '{"a":1}';
  await refusal(t, readJsonBody(fakeCtx([Buffer.from(doc, 'utf16le')], { 'content-type': 'application/json; charset=utf-16' })), 400, 'MALFORMED_JSON');
  await refusal(t, readJsonBody(fakeCtx([Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')])])), 400, 'MALFORMED_JSON');
  const utf32 = Buffer.alloc(doc.length * 4);
  for (let i = 0; i < doc.length; i++) utf32.writeUInt32BE(doc.charCodeAt(i), i * 4);
  await refusal(t, readJsonBody(fakeCtx([utf32])), 400, 'MALFORMED_JSON');
});

test('any bytes at all: the result is what JSON.parse makes of their UTF-8, or a 400 AppError, never another error (property)', async (t) => {
  const bytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).map((s) => Buffer.from(s)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  );
  await fc.assert(
    fc.asyncProperty(bytes, async (raw) => {
      const buf = Buffer.from(raw);
      let expected: { value: unknown } | undefined;
      try {
        expected = { value: JSON.parse(buf.toString('utf8')) };
      } catch {
        expected = undefined;
      }
      if (expected) t.deepEqual(await readJsonBody(fakeCtx([buf])), expected.value);
      else await refusal(t, readJsonBody(fakeCtx([buf])), 400, 'MALFORMED_JSON');
    }),
    { numRuns: 500 },
  );
});

test('escaped NUL and lone surrogates reach the caller as characters (text safety judges them later)', async (t) => {
  t.deepEqual(await readJsonBody(json('{"a":"x\\u0000y","b":"\\ud800","c":"\\udc00\\ud800","d":"\\ud83d\\ude00"}')), {
    a: 'x\u0000y',
    b: '\ud800',
    c: '\udc00\ud800',
    d: '😀',
  });
});

test('invalid UTF-8 never decodes to a lone surrogate or a NUL: surrogates encoded as bytes, overlong and stray bytes become U+FFFD', async (t) => {
  const cases: [string, number[]][] = [
    ['CESU-8 high surrogate', [0xed, 0xa0, 0x80]],
    ['CESU-8 low surrogate', [0xed, 0xb0, 0x80]],
    ['CESU-8 pair', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong slash', [0xc0, 0xaf]],
    ['stray continuation', [0x80]],
    ['0xff', [0xff]],
    ['truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, inner] of cases) {
    const body = Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(inner), Buffer.from('b"}')]);
    const parsed = (await readJsonBody(fakeCtx([body]))) as { title: string };
    t.true(parsed.title.startsWith('a') && parsed.title.endsWith('b'), name);
    t.true(parsed.title.includes('\uFFFD'), `${name}: ${JSON.stringify(parsed.title)}`);
    t.true(isSafeText(parsed.title), `${name}: no NUL, no lone surrogate`);
  }
});

test('__proto__ and constructor keys stay plain data: own properties of the result, nothing polluted', async (t) => {
  const parsed = (await readJsonBody(
    json('{"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}},"user":{"__proto__":{"role":"admin"}}}'),
  )) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(parsed), Object.prototype);
  t.true(Object.hasOwn(parsed, '__proto__'));
  t.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { polluted: true, isAdmin: true });
  t.is(parsed.isAdmin, undefined, 'the key did not become the prototype');
  const user = parsed.user as Record<string, unknown>;
  t.true(Object.hasOwn(user, '__proto__'));
  t.is(user.role, undefined);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(({} as Record<string, unknown>).role, undefined);
  t.is((Object.prototype as Record<string, unknown>).polluted, undefined);
});

test('deep nesting within the limit parses (no stack overflow); deeper than the limit allows is refused for its size', async (t) => {
  const depth = 20_000;
  const arrays = (await readJsonBody(json(`${'['.repeat(depth)}${']'.repeat(depth)}`))) as unknown[];
  let d = 1;
  for (let x = arrays; Array.isArray(x[0]); x = x[0] as unknown[]) d++;
  t.is(d, depth);
  const objects = await readJsonBody(json(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`));
  t.truthy(objects);
  const tooDeep = `${'['.repeat(DEFAULT_BODY_LIMIT)}${']'.repeat(DEFAULT_BODY_LIMIT)}`;
  await refusal(t, readJsonBody(json(tooDeep)), 413, 'PAYLOAD_TOO_LARGE');
  await refusal(t, readJsonBody(json(`${'['.repeat(depth)}`)), 400, 'MALFORMED_JSON');
});

test('the limit is in bytes and inclusive: limit bytes pass, one more is 413, also when the characters would fit', async (t) => {
  const limit = 100;
  const exactly = `"${'x'.repeat(limit - 2)}"`;
  t.is(((await readJsonBody(json(exactly), limit)) as string).length, limit - 2);
  await refusal(t, readJsonBody(json(`"${'x'.repeat(limit - 1)}"`), limit), 413, 'PAYLOAD_TOO_LARGE');
  const accented = `"${'é'.repeat(60)}"`; // 62 characters, 122 bytes
  t.true(accented.length <= limit);
  const error = await refusal(t, readJsonBody(json(accented), limit), 413, 'PAYLOAD_TOO_LARGE');
  t.is(error?.subject?.reason, `exceeds ${limit} bytes`);
  await refusal(t, readJsonBody(json(`"${'x'.repeat(DEFAULT_BODY_LIMIT - 1)}"`)), 413, 'PAYLOAD_TOO_LARGE');
  t.is(((await readJsonBody(json(`"${'x'.repeat(DEFAULT_BODY_LIMIT - 2)}"`))) as string).length, DEFAULT_BODY_LIMIT - 2, 'the default is 64 KiB');
});

test('a too large body is refused before its media type or syntax is looked at', async (t) => {
  await refusal(t, readJsonBody(json('x'.repeat(200), { 'content-type': 'text/plain' }), 100), 413, 'PAYLOAD_TOO_LARGE');
});

test('raw bodies: any chunks resolve to their bytes when they fit the limit, else 413 (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), fc.nat(200), async (chunks, limit) => {
      const buffers = chunks.map((c) => Buffer.from(c));
      const all = Buffer.concat(buffers);
      if (all.length <= limit) t.deepEqual(await readRawBody(fakeCtx(buffers), limit), all);
      else await refusal(t, readRawBody(fakeCtx(buffers), limit), 413, 'PAYLOAD_TOO_LARGE');
    }),
    { numRuns: 300 },
  );
});

test('a declared Content-Length over the limit is refused without reading a byte', async (t) => {
  let read = false;
  const untouched: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => {
      read = true;
      return { next: async () => ({ done: true, value: undefined }) };
    },
  };
  for (const length of ['101', '1e9', '0x1000', String(Number.MAX_SAFE_INTEGER), '1'.repeat(400)]) {
    await refusal(t, readRawBody(fakeCtx(untouched, { 'content-length': length }), 100), 413, 'PAYLOAD_TOO_LARGE');
  }
  t.false(read);
});

test('a Content-Length that lies (too small, garbage, negative) does not let more than the limit in', async (t) => {
  const big = Buffer.alloc(150, 'a');
  for (const length of ['1', '0', '-1', 'abc', '', ' 50 ', 'NaN', '-Infinity']) {
    await refusal(t, readRawBody(fakeCtx([big], { 'content-length': length }), 100), 413, 'PAYLOAD_TOO_LARGE');
    t.deepEqual(await readRawBody(fakeCtx([big.subarray(0, 100)], { 'content-length': length }), 100), big.subarray(0, 100), `declared ${JSON.stringify(length)}, sent 100`);
  }
});

test('a body far past the limit is cut off there: it stops pulling chunks and closes the stream', async (t) => {
  let pulled = 0;
  let closed = false;
  /** 10 MiB in 1 KiB chunks (finite, so that a reader that buffers everything fails this test instead of hanging it). */
  async function* endless() {
    try {
      for (let i = 0; i < 10 * 1024; i++) {
        pulled++;
        yield Buffer.alloc(1024, 'a');
      }
    } finally {
      closed = true;
    }
  }
  await refusal(t, readRawBody(fakeCtx(endless()), 64 * 1024), 413, 'PAYLOAD_TOO_LARGE');
  t.is(pulled, 65, 'one chunk past the limit, no more');
  t.true(closed);
  pulled = 0;
  closed = false;
  await refusal(t, readJsonBody(fakeCtx(Readable.from(endless())), 10 * 1024), 413, 'PAYLOAD_TOO_LARGE');
  // 11 chunks reach the limit; a Readable may read ahead up to its highWaterMark (16 objects), never the whole stream.
  t.true(pulled >= 11 && pulled <= 11 + 16, `pulled ${pulled}`);
  await new Promise((r) => setImmediate(r));
  t.true(closed, 'the stream was destroyed');
});

/** Through a real Koa server and the error middleware, as every service and the gateway read bodies. */
test('over HTTP: JSON echoes, and chunked oversize, a foreign media type and malformed JSON answer 413, 415 and 400', async (t) => {
  const app = new Koa();
  app.use(errorMiddleware({ logger: { error: () => undefined, warn: () => undefined }, style: () => 'realworld' }));
  app.use(async (ctx) => {
    ctx.body = { got: (await readJsonBody(ctx, 1024)) ?? null };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  /** Sends the body in the given chunks with chunked transfer encoding (no Content-Length). */
  const send = (chunks: string[], type?: string) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: type ? { 'content-type': type } : {} }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });

  t.deepEqual(await send(['{"a":', '"ü', '"}'], 'application/json'), { status: 200, body: { got: { a: 'ü' } } });
  t.deepEqual(await send([], 'application/json'), { status: 200, body: { got: null } });
  const oversize = await send(Array.from({ length: 4 }, () => `"${'x'.repeat(400)}"`), 'application/json');
  t.is(oversize.status, 413);
  t.deepEqual(oversize.body.errors, { body: ['exceeds 1024 bytes'] });
  const foreign = await send(['a=1'], 'application/x-www-form-urlencoded');
  t.is(foreign.status, 415);
  t.deepEqual(foreign.body.errors, { body: ['must be JSON (application/json)'] });
  const malformed = await send(['{"a":'], 'application/json');
  t.is(malformed.status, 400);
  t.deepEqual(malformed.body.errors, { body: ['is not valid JSON'] });
});
