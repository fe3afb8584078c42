import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_TRACE_CONTEXT_SQL } from '@vcd/messaging';

/**
 * The W3C traceparent of the transaction that wrote an outbox row (packages/messaging): the relay publishes the
 * event in that trace, so the event's consumers appear in the trace of the request that caused it.
 */
export class Migration20261202000000_outbox_trace_context extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_TRACE_CONTEXT_SQL);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox" drop column "trace_context"`);
  }
}
