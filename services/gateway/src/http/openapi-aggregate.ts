import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { Sidecar } from '@vcd/dapr';

/**
 * One OpenAPI document for the public API: the paths of each service's own document (fetched through Dapr),
 * under the gateway's servers and security scheme. Cached; rebuilt when a service was unreachable.
 */
export function openApiAggregator(sidecar: Sidecar, apps: readonly string[], extra: OpenAPIObject['paths'] = {}) {
  let cached: { doc: OpenAPIObject; complete: boolean } | undefined;
  return async function aggregate(): Promise<OpenAPIObject> {
    if (cached?.complete) return cached.doc;
    const missing: string[] = [];
    const docs = await Promise.all(
      apps.map(async (app) => {
        try {
          const res = await sidecar.invoke(app, 'openapi.json', { signal: AbortSignal.timeout(3000) });
          if (!res.ok) throw new Error(String(res.status));
          return (await res.json()) as OpenAPIObject;
        } catch {
          missing.push(app);
          return undefined;
        }
      }),
    );
    const doc: OpenAPIObject = {
      openapi: '3.1.0',
      info: {
        title: 'VCD Simple Blog API',
        version: '0.1.0',
        description: 'RealWorld (Conduit) compatible blog API with extensions. Served by the gateway; each service documents its own routes.' +
          (missing.length ? `\n\nUnavailable while this document was built: ${missing.join(', ')}.` : ''),
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <jwt>` or `Bearer <jwt>`' } } },
      paths: {},
    };
    // Operations merge per path and method; the gateway's own (composed) operations win over a service's.
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    for (const d of [...docs, { paths: extra } as OpenAPIObject]) {
      for (const [path, item] of Object.entries(d?.paths ?? {})) paths[path] = { ...paths[path], ...(item as Record<string, unknown>) };
    }
    cached = { doc, complete: missing.length === 0 };
    return doc;
  };
}
