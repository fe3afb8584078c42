/**
 * Raw queries through MikroORM return timestamptz as Postgres text ("2026-01-01 10:00:00.123+00"), not Date.
 * This reads either form.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value).replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${String(value)}`);
  return date;
}

export const toDateOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : toDate(value));
