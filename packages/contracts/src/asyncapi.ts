import { z } from 'zod';
import { DEAD_LETTER_TOPIC, eventSchemas, PUBLISHER_OF, TOPICS, type Topic } from './events.js';

/** AsyncAPI keys (channels, operations, components) allow [A-Za-z0-9_-] only; topics have dots. */
const keyOf = (topic: Topic) => topic.replace(/[^A-Za-z0-9_-]/g, '_');

/** The payload schema of a topic as JSON Schema draft 7 (AsyncAPI's schema format is a superset of it). */
export function payloadJsonSchema(topic: Topic): Record<string, unknown> {
  // io: 'input' describes what a consumer accepts: unknown fields are allowed (and dropped), as the catalogue says.
  const { $schema: _ignored, ...schema } = z.toJSONSchema(eventSchemas[topic], { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return schema;
}

/** The structured CloudEvent 1.0 envelope daprd delivers, with `data` the topic's payload. */
function cloudEventSchema(topic: Topic): Record<string, unknown> {
  return {
    type: 'object',
    description: `CloudEvent 1.0 (structured mode, application/cloudevents+json) as Dapr delivers it; \`data\` is the ${topic} payload.`,
    required: ['specversion', 'id', 'source', 'type', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', description: "The publisher's outbox row id: consumers handle each id once (inbox)." },
      source: { const: PUBLISHER_OF[topic], description: 'The publishing app id; consumers drop the event from any other source.' },
      type: { const: topic },
      time: { type: 'string', format: 'date-time', description: 'When the outbox row was written (the change committed).' },
      datacontenttype: { const: 'application/json' },
      traceparent: { type: 'string', description: 'W3C trace context of the change that wrote the event (added by daprd).' },
      topic: { const: topic, description: 'Added by daprd.' },
      pubsubname: { type: 'string', description: 'Added by daprd: the component it was delivered through (pubsub or broadcast).' },
      data: { $ref: `#/components/schemas/${keyOf(topic)}` },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of every topic of the event catalogue, generated from its zod schemas: one channel per
 * topic (its address is the topic), one send operation by its publisher (PUBLISHER_OF), the payload schema, and the
 * CloudEvent envelope it travels in.
 */
export function asyncApiDocument(options: { version?: string } = {}): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const topic of TOPICS) {
    const key = keyOf(topic);
    const publisher = PUBLISHER_OF[topic];
    const description = eventSchemas[topic].description ?? topic;
    schemas[key] = payloadJsonSchema(topic);
    messages[key] = {
      name: topic,
      title: topic,
      summary: description,
      contentType: 'application/cloudevents+json',
      payload: cloudEventSchema(topic),
    };
    channels[key] = {
      address: topic,
      title: topic,
      description: `${description}. Published by \`${publisher}\` only (pub/sub scopes and the consumers' source check); delivered through the \`pubsub\` component (competing consumers) and \`broadcast\` (every replica) where a consumer needs it.`,
      servers: [{ $ref: '#/servers/pubsub' }],
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    operations[`${publisher}_sends_${key}`] = {
      action: 'send',
      title: `${publisher} publishes ${topic}`,
      summary: `The ${publisher} service publishes ${topic} through its outbox (after the change commits; at least once).`,
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
      tags: [{ name: publisher }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'VCD Simple Blog events',
      version: options.version ?? '0.1.0',
      description:
        'Every pub/sub topic of the system, generated from the zod schemas of the event catalogue (@vcd/contracts). ' +
        'Events are CloudEvents 1.0 published through Dapr pub/sub (Redis Streams) by the owning service\'s transactional outbox, ' +
        'delivered at least once and in no guaranteed order; consumers are idempotent by CloudEvent id (inbox), ignore fields ' +
        `they do not know, and send what can never succeed to the \`${DEAD_LETTER_TOPIC}\` topic.`,
      tags: [...new Set(Object.values(PUBLISHER_OF))].map((name) => ({ name, description: `Published by the ${name} service` })),
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      pubsub: {
        host: 'redis:6379',
        protocol: 'redis',
        description: 'The Dapr pub/sub components `pubsub` and `broadcast` (Redis Streams); services publish and subscribe through their daprd sidecar only.',
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}
