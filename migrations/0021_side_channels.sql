ALTER TABLE `outbox` ADD `recipient_hidden` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `recipient_id` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `opt_out_topic` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `withheld` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `sign_in_tokens` DROP COLUMN `used_at`;--> statement-breakpoint
-- Hand-written (issue 17: side channels; ADR 0032). Keep at the end of this migration.
-- Emails already queued to hidden recipients become counts, never rows, on the admin outbox.
UPDATE `outbox` SET `recipient_hidden` = 1 WHERE `kind` IN ('signer.milestone', 'signer.update', 'signer.victory', 'signer.response', 'comment.reply', 'comment.hidden', 'feedback.reply');--> statement-breakpoint
-- The outbox keeps hours, not exact times (a pending email's next attempt stays exact until it goes).
UPDATE `outbox` SET `created_at` = `created_at` - `created_at` % 3600000, `sent_at` = `sent_at` - `sent_at` % 3600000;--> statement-breakpoint
UPDATE `outbox` SET `next_attempt_at` = `next_attempt_at` - `next_attempt_at` % 3600000 WHERE `status` IN ('sent', 'failed');--> statement-breakpoint
-- used_at is gone, so a used link could no longer be told from an unused one: every outstanding link
-- ends at this upgrade (people ask for a new one), and none is kept for the page it was for.
DELETE FROM `sign_in_tokens`;--> statement-breakpoint
-- Sessions keep hours; first sign-ins, and people's own changes, the day.
UPDATE `sessions` SET `created_at` = `created_at` - `created_at` % 3600000, `renewed_at` = `renewed_at` - `renewed_at` % 3600000, `expires_at` = `expires_at` - `expires_at` % 3600000;--> statement-breakpoint
UPDATE `people` SET `first_signed_in_at` = `first_signed_in_at` - `first_signed_in_at` % 86400000 WHERE `first_signed_in_at` IS NOT NULL;--> statement-breakpoint
UPDATE `people` SET `updated_at` = `updated_at` - `updated_at` % 86400000;--> statement-breakpoint
UPDATE `people` SET `created_at` = `created_at` - `created_at` % 86400000 WHERE `in_directory` = 0;
