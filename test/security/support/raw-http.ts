import http from 'node:http';
import { stack } from '../../support/stack.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Sends a request with the path exactly as written (no normalisation, like `curl --path-as-is`): fetch and
 * URL would resolve `..` before it ever left the client, which is not what an attacker's tool does.
 */
export function rawRequest(
  method: string,
  rawPath: string,
  options: { headers?: Record<string, string>; body?: string; clientIp?: string } = {},
): Promise<RawResponse> {
  const url = new URL(stack().gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        agent,
        headers: {
          'x-forwarded-for': options.clientIp ?? '198.51.100.7',
          ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Answers the gateway gives itself, without calling any service: a refused target or no declared route. */
export const GATEWAY_OWN_CODES = new Set(['GATEWAY.BAD_PATH', 'GATEWAY.BAD_QUERY', 'NOT_FOUND', 'METHOD_NOT_ALLOWED']);

/** Whether a response is the gateway's own refusal (no upstream call was made for it). */
export function refusedByGateway(res: RawResponse): boolean {
  if (![400, 404, 405].includes(res.status)) return false;
  const code = res.json?.code as string | undefined;
  if (!code || !GATEWAY_OWN_CODES.has(code)) return false;
  return code !== 'NOT_FOUND' || res.json?.detail === 'No such route';
}

/** Signs that a body came from daprd's own API rather than from one of our apps. */
export function looksLikeDaprApi(res: RawResponse): string | undefined {
  if (/"errorCode"\s*:\s*"ERR_/.test(res.text)) return 'a daprd error body';
  if (/"runtimeVersion"|"registeredComponents"|"enabledFeatures"|"actorRuntime"/.test(res.text)) return 'daprd metadata';
  for (const [name, value] of Object.entries(stack().secrets)) {
    if (value.length >= 8 && res.text.includes(value.slice(0, 40))) return `the secret ${name}`;
  }
  return undefined;
}
