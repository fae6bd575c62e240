/**
 * Redis keys the analyzer writes for the gateway (hashes: `json` = the message, `updatedAt` = ms).
 * `stats:<ex>:<mkt>` is in the latest-state family; these are per asset.
 */
export const compositeKey = (asset: string) => `composite:${asset}`;
export const spreadKey = (asset: string) => `spread:${asset}`;
