import test from 'ava';
import { Parser } from '@asyncapi/parser';
import { asyncApiDocument, PUBLISHER_OF, TOPICS } from '../src/index.js';

// The generated document checked by the AsyncAPI project's own parser (schema and semantic rules).

test('the AsyncAPI document generated from the event schemas is valid AsyncAPI 3', async (t) => {
  const doc = asyncApiDocument();
  const diagnostics = await new Parser().validate(doc as never);
  const errors = diagnostics.filter((d) => d.severity === 0);
  t.deepEqual(errors.map((e) => `${e.path.join('.')}: ${e.message}`), []);
});

test('every topic is a channel whose send operation belongs to its publisher, with its payload in a CloudEvent', async (t) => {
  const { document, diagnostics } = await new Parser().parse(asyncApiDocument() as never);
  t.truthy(document, JSON.stringify(diagnostics.filter((d) => d.severity === 0)).slice(0, 2000));
  const channels = document!.channels().all();
  t.deepEqual(channels.map((c) => c.address()).sort(), [...TOPICS].sort());
  for (const topic of TOPICS) {
    const channel = channels.find((c) => c.address() === topic)!;
    const sends = channel.operations().all().filter((o) => o.action() === 'send');
    t.is(sends.length, 1, topic);
    t.deepEqual(sends[0]!.tags().all().map((tag) => tag.name()), [PUBLISHER_OF[topic]], topic);
    const payload = channel.messages().all()[0]!.payload()!;
    t.is(payload.properties()!.source!.const(), PUBLISHER_OF[topic]);
    t.is(payload.properties()!.type!.const(), topic);
    t.true(Object.keys(payload.properties()!.data!.properties() ?? {}).length > 0, topic);
  }
  const published = channels.find((c) => c.address() === 'post.published')!.messages().all()[0]!.payload()!.properties()!.data!;
  t.deepEqual([...(published.required() ?? [])].sort(), ['articleId', 'authorId', 'publishedAt', 'slug', 'title']);
});

test('the parser does refuse a broken document (the check above can fail)', async (t) => {
  const doc = asyncApiDocument() as { operations: Record<string, { action: string }> };
  Object.values(doc.operations)[0]!.action = 'publish';
  const errors = (await new Parser().validate(doc as never)).filter((d) => d.severity === 0);
  t.true(errors.length > 0);
});
