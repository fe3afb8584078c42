import { request } from 'undici';
import type { SidecarConnection } from './connection.js';

/** The CloudEvents 1.0 envelope we publish. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  datacontenttype: 'application/json';
  time: string;
  data: T;
  traceparent?: string;
}

/**
 * Publishes a CloudEvent we built ourselves (so its id is ours, e.g. the outbox row id), unchanged by daprd
 * (application/cloudevents+json). Subscribing is in subscriptions.ts.
 */
export async function publishCloudEvent(c: SidecarConnection, pubsub: string, topic: string, event: CloudEvent): Promise<void> {
  const res = await request(`${c.baseUrl}/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`, {
    method: 'POST',
    headers: { ...c.headers, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
    dispatcher: c.keepAlivePool(),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`Publishing to ${topic} failed: HTTP ${res.statusCode} ${text}`);
}
