export const DAY_MS = 86_400_000;

/** When stock received at `receivedAt` stops being sellable; null for products that keep. */
export const expiryOf = (shelfLifeDays: number | null, receivedAt: Date): Date | null =>
  shelfLifeDays === null ? null : new Date(receivedAt.getTime() + shelfLifeDays * DAY_MS);
