import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventSink } from '@vcd/messaging';
import { saveIdentityIfNewer } from '../db/profile.repository.js';
import type { UserUpdated } from '../domain/consumed-events.js';
import { profileUpdated } from './update-profile.js';

/**
 * user.updated → the profile carries the account's new username, unless it already holds a newer identity
 * version: auth's relay publishes concurrently and deliveries are handled 32 at a time, so an older rename may
 * arrive last, and must not win. A profile whose name changed announces it (profile.updated); one not created
 * yet (its registration still on its way) is created with the new name.
 */
export async function renameProfile(tx: EntityManager, events: EventSink, account: UserUpdated): Promise<void> {
  const renamed = await saveIdentityIfNewer(tx, account.userId, account.username, account.version);
  if (renamed) events.emit('profile.updated', profileUpdated(renamed));
}
