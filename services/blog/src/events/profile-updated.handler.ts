import { subscription } from '@vcd/dapr';

/**
 * profile.updated (from the user service, read through the `broadcast` pub/sub so every blog replica hears it) →
 * the author's cached card is dropped, and so are the cached anonymous pages that show it.
 */
export const profileUpdatedSubscription = (caches: { forgetAuthor: (userId: string) => void; invalidatePages: () => void }) =>
  subscription('profile.updated', async (data) => {
    caches.forgetAuthor(data.userId);
    caches.invalidatePages();
  });
