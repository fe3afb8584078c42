import pg from 'pg';

/**
 * Postgres as a deployment runs it. Our own Postgres (the compose image, the Kubernetes manifests, one installed by
 * scripts/ensure-infra.ts) vacuums and analyzes by itself; a server found already running may have autovacuum
 * switched off (this kind of CI machine ships `autovacuum = off`). Without it the planner never learns the tables'
 * sizes (it plans the article count for 1 row and gets 6 000: 18 ms instead of 3.7 ms) and dead outbox rows pile up,
 * so a bench would measure a database nobody deploys, slower by the minute. When autovacuum is off, this stands in
 * for it on the bench's own databases: `VACUUM (ANALYZE)` every `intervalMs`, its cost charged to Postgres like
 * autovacuum's would be. The report says so.
 */
export async function standInForAutovacuum(adminUrl: string, databases: string[], intervalMs = 30_000): Promise<{ active: boolean; stop: () => Promise<void> }> {
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
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = Promise.allSettled(clients.map((c) => c.query('vacuum (analyze)')));
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
