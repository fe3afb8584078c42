import { subscription } from '@vcd/dapr';
import type { CachedProfileCards } from '../clients/cached-profile-cards.js';

/** profile.updated (read through the `broadcast` pub/sub, so every gateway replica hears it) → the card is dropped. */
export const profileUpdatedSubscription = (cards: Pick<CachedProfileCards, 'forget'>) =>
  subscription('profile.updated', async (data) => {
    cards.forget(data.userId);
  });
