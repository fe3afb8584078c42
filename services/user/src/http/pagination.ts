import { z } from 'zod';

/** RealWorld's paging: `limit` (default 20) and `offset` (default 0). */
export const PageQuery = z.object({
  limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
  offset: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must not be negative').default(0),
});
