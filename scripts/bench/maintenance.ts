import pg from 'pg';

/** Which tables autovacuum would work on now, with its default thresholds (PostgreSQL 13+: inserts count too). */
const DUE_TABLES = `
  select format('%I.%I', s.schemaname, s.relname) as name,
         s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) as vacuum,
         s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) as analyze
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid`;

/**
 * Postgres as a deployment runs it. Our own Postgres (the compose image, the Kubernetes manifests, one installed by
 * scripts/ensure-infra.ts) vacuums and analyzes by itself; a server found already running may have autovacuum
 * switched off (this kind of CI machine ships `autovacuum = off`). Without it the planner never learns the tables'
 * sizes (it plans the article count for 1 row and gets 6 000: 18 ms instead of 3.7 ms) and dead outbox rows pile up,
 * so a bench would measure a database nobody deploys, slower by the minute. When autovacuum is off, this stands in
 * for it on the bench's own databases, the way autovacuum works: every `intervalMs`, in each database, only the
 * tables past autovacuum's default thresholds (dead rows, inserts, changes since the last analyze), one at a time,
 * throttled by autovacuum's default cost delay (2 ms per 200 cost units), so it spreads its work instead of taking a
 * core in bursts. Its cost is charged to Postgres, like autovacuum's would be. The report says so.
 */
export async function standInForAutovacuum(adminUrl: string, databases: string[], intervalMs = 20_000): Promise<{ active: boolean; stop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const setting = (await admin.query<{ autovacuum: string }>('show autovacuum')).rows[0]?.autovacuum;
  await admin.end();
  if (setting !== 'off') return { active: false, stop: async () => undefined };
  const clients = databases.map((database) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return new pg.Client({ connectionString: url.toString() });
  });
  await Promise.all(clients.map((c) => c.connect()));
  await Promise.all(clients.map((c) => c.query(`set vacuum_cost_delay = '2ms'; set vacuum_cost_limit = 200`)));
  const work = async (client: pg.Client) => {
    const due = (await client.query<{ name: string; vacuum: boolean; analyze: boolean }>(DUE_TABLES)).rows;
    for (const table of due) {
      if (table.vacuum) await client.query(`vacuum${table.analyze ? ' (analyze)' : ''} ${table.name}`);
      else if (table.analyze) await client.query(`analyze ${table.name}`);
    }
  };
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    // A round still running (a big table under the cost delay) is not started twice.
    running ??= Promise.allSettled(clients.map(work)).finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    active: true,
    stop: async () => {
      clearInterval(timer);
      await running;
      await Promise.all(clients.map((c) => c.end()));
    },
  };
}
