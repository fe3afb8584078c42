import type { OpenAPIObject } from 'openapi3-ts/oas31';

/** The services' own OpenAPI documents as the gateway has them (fetched through Dapr; `version` changes with any). */
export interface ServiceDocumentSource {
  current(): Promise<{ docs: Map<string, OpenAPIObject>; missing: string[]; version: number }>;
}

/**
 * One OpenAPI document for the public API: the paths of each service's own document, under the gateway's
 * servers and security scheme, with the gateway's own (composed) operations. Returns the use case: a function
 * that rebuilds the document only when a service's document changed.
 */
export function openApiDocument(documents: ServiceDocumentSource, extra: OpenAPIObject['paths'] = {}) {
  let cached: { doc: OpenAPIObject; version: number; missing: number } | undefined;
  return async function getOpenApiDocument(): Promise<OpenAPIObject> {
    const { docs, missing, version } = await documents.current();
    if (cached && cached.version === version && cached.missing === missing.length) return cached.doc;
    const doc: OpenAPIObject = {
      openapi: '3.1.0',
      info: {
        title: 'VCD Simple Blog API',
        version: '0.1.0',
        description: 'RealWorld (Conduit) compatible blog API with extensions. Served by the gateway; each service documents its own routes. ' +
          'The events the services publish (topics, publishers, payload schemas) are described by the AsyncAPI 3 document at [/api/asyncapi.json](/api/asyncapi.json).' +
          (missing.length ? `\n\nUnavailable while this document was built: ${missing.join(', ')}.` : ''),
      },
      externalDocs: { description: 'AsyncAPI 3 document of the events (pub/sub topics)', url: '/api/asyncapi.json' },
      servers: [{ url: '/' }],
      components: { securitySchemes: { Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <jwt>` or `Bearer <jwt>`' } } },
      paths: {},
    };
    // Operations merge per path and method; the gateway's own (composed) operations win over a service's.
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    for (const d of [...docs.values(), { paths: extra } as OpenAPIObject]) {
      for (const [path, item] of Object.entries(d?.paths ?? {})) paths[path] = { ...paths[path], ...(item as Record<string, unknown>) };
    }
    cached = { doc, version, missing: missing.length };
    return doc;
  };
}
