ALTER TABLE `token_issuance` ADD `blinded_hash` text;--> statement-breakpoint
-- Each stored blinded message becomes its SHA-256 (hex), the blind signature is dropped (made again
-- on demand). SQLite has no SHA-256: db/client.ts registers this function on every connection.
UPDATE `token_issuance` SET `blinded_hash` = sha256_hex_of_base64url(`blinded_message`) WHERE `blinded_message` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `token_issuance` DROP COLUMN `blinded_message`;--> statement-breakpoint
ALTER TABLE `token_issuance` DROP COLUMN `blind_signature`;--> statement-breakpoint
CREATE INDEX `signatures_token_idx` ON `signatures` (`token_id`) WHERE token_id is not null;--> statement-breakpoint
CREATE INDEX `signatures_public_without_token_idx` ON `signatures` (`petition_id`) WHERE token_id is null and visibility = 'public' and withdrawn_at is null and invalidated_at is null;
