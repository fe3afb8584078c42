import type { Context } from 'koa';
import { AppError } from '@vcd/errors';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Reads a JSON request body, refusing bodies over `limit` bytes with 413 and malformed JSON with 400. */
export async function readJsonBody(ctx: Context, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) return undefined;
  const type = ctx.get('content-type');
  if (type && !/json/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Request body must be JSON (application/json)', { subject: { subject: 'body', reason: 'must be JSON (application/json)' } });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('MALFORMED_JSON', 400, 'Request body is not valid JSON', { subject: { subject: 'body', reason: 'is not valid JSON' } });
  }
}

/** Reads a request body as bytes, refusing bodies over `limit` with 413. */
export async function readRawBody(ctx: Context, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new AppError('PAYLOAD_TOO_LARGE', 413, `Request body exceeds ${limit} bytes`, { subject: { subject: 'body', reason: `exceeds ${limit} bytes` } });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('PAYLOAD_TOO_LARGE', 413, `Request body exceeds ${limit} bytes`, { subject: { subject: 'body', reason: `exceeds ${limit} bytes` } });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
