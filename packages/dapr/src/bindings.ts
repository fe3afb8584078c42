import { request } from 'undici';
import type { SidecarConnection } from './connection.js';

/**
 * Invokes an output binding (POST /v1.0/bindings/<name>): `operation` with `data` and `metadata`, as the
 * binding's component defines them (the SMTP binding: create, the body, {emailTo, subject}).
 */
export async function invokeBinding(
  c: SidecarConnection,
  name: string,
  input: { operation: string; data: unknown; metadata?: Record<string, string> },
  timeoutMs = 10_000,
): Promise<void> {
  const res = await request(`${c.baseUrl}/v1.0/bindings/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { ...c.headers, 'content-type': 'application/json' },
    body: JSON.stringify(input),
    dispatcher: c.keepAlivePool(),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`binding ${name} answered HTTP ${res.statusCode}: ${text.slice(0, 500)}`);
}
