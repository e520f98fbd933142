/** What has an address of words (a slug): a petition, a policy, an announcement. */
export const ADDRESSED_KINDS = ["petition", "policy", "announcement"] as const;
export type AddressedKind = (typeof ADDRESSED_KINDS)[number];
