/** An answer from a downstream service's HTTP API, as the gateway's forwarding receives it. */
export interface UpstreamAnswer {
  status: number;
  headers: { get(name: string): string | null };
  payload: Buffer;
}

/** The answer's JSON body, or undefined when it is not JSON. */
export function jsonOf(answer: UpstreamAnswer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(answer.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The `sub` of a token auth has just issued (its payload, unverified: the gateway did not receive it from a client). */
export const subjectOfIssuedToken = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;
