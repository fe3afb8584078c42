import { PermanentEventError, type Subscription } from '@vcd/dapr';
import { PUBLISHER_OF, type EventPayloads } from '@vcd/contracts';

/**
 * profile.updated (from the user service, read through the `broadcast` pub/sub so every blog replica hears it) →
 * the author's cached card is dropped, and so are the cached anonymous pages that show it.
 */
export const profileUpdatedSubscription = (caches: { forgetAuthor: (userId: string) => void; invalidatePages: () => void }): Subscription => ({
  topic: 'profile.updated',
  publishers: [PUBLISHER_OF['profile.updated']],
  handler: async (event) => {
    const data = event.data as Partial<EventPayloads['profile.updated']>;
    if (typeof data?.userId !== 'string' || data.userId.length === 0) throw new PermanentEventError('profile.updated without userId');
    caches.forgetAuthor(data.userId);
    caches.invalidatePages();
  },
});
