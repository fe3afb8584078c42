import test from 'ava';
import fc from 'fast-check';
import { Counters, newServiceStats } from '../src/domain/call-stats.js';

test('counters add up per name and key, whatever the order of the additions', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('rpc', 'events'), fc.constantFrom('blog', 'gateway', 'auth'), fc.integer({ min: 1, max: 5 })), { maxLength: 30 }), (adds) => {
      const counters = new Counters();
      for (const [name, key, by] of adds) counters.add(name, key, by);
      const expected: Record<string, Record<string, number>> = {};
      for (const [name, key, by] of adds) (expected[name] ??= {})[key] = (expected[name][key] ?? 0) + by;
      t.deepEqual(counters.snapshot(), expected);
    }),
  );
});

test('a new service starts with no calls and no events counted', (t) => {
  const stats = newServiceStats();
  t.deepEqual([stats.rpc.snapshot(), stats.events.snapshot()], [{}, {}]);
  stats.rpc.add('GetProfiles', 'blog');
  t.deepEqual(stats.rpc.snapshot(), { GetProfiles: { blog: 1 } });
});
