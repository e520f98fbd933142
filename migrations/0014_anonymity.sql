CREATE TABLE `anonymous_signatures` (
	`token_id` text PRIMARY KEY NOT NULL,
	`petition_id` integer NOT NULL,
	`message` text,
	`signature` text,
	`signer_key` text,
	`action_seq` integer DEFAULT 0 NOT NULL,
	`standing` integer DEFAULT true NOT NULL,
	`counted_at` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`ledger_seq` integer NOT NULL,
	`ledger_hash` text NOT NULL,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `anonymous_signatures_petition_idx` ON `anonymous_signatures` (`petition_id`,`standing`,`counted_at`);--> statement-breakpoint
CREATE TABLE `blind_keys` (
	`scope` text PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text,
	`fingerprint` text NOT NULL,
	`created_on` integer NOT NULL,
	`retired_on` integer,
	`issued` integer DEFAULT 0 NOT NULL,
	`issuance_frozen_on` integer
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `token_issuance` (
	`scope` text NOT NULL,
	`person_id` integer NOT NULL,
	`issued_on` integer NOT NULL,
	`blinded_message` text,
	`blind_signature` text,
	PRIMARY KEY(`scope`, `person_id`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
-- Rebuilt to make author_id nullable. Foreign keys are off while migrations run (db/client.ts).
CREATE TABLE `__new_comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`thread_id` integer NOT NULL,
	`parent_id` integer,
	`depth` integer NOT NULL,
	`in_reply_to_id` integer,
	`author_id` integer,
	`anonymous` integer DEFAULT false NOT NULL,
	`emails_author` integer DEFAULT true NOT NULL,
	`official` integer DEFAULT false NOT NULL,
	`from_signature` integer DEFAULT false NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`open_reports` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`edited_at` integer,
	`deleted_at` integer,
	`hidden_at` integer,
	`hidden_by_id` integer,
	`hidden_reason` text,
	FOREIGN KEY (`thread_id`) REFERENCES `comment_threads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`parent_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`in_reply_to_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`hidden_by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_comments`("id", "thread_id", "parent_id", "depth", "in_reply_to_id", "author_id", "anonymous", "emails_author", "official", "from_signature", "body", "body_html", "score", "reply_count", "open_reports", "created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by_id", "hidden_reason") SELECT "id", "thread_id", "parent_id", "depth", "in_reply_to_id", "author_id", "anonymous", CASE WHEN "anonymous" THEN 0 ELSE 1 END, "official", "from_signature", "body", "body_html", "score", "reply_count", "open_reports", "created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by_id", "hidden_reason" FROM `comments`;--> statement-breakpoint
DROP TABLE `comments`;--> statement-breakpoint
ALTER TABLE `__new_comments` RENAME TO `comments`;--> statement-breakpoint
CREATE INDEX `comments_top_level_score_idx` ON `comments` (`thread_id`,`score`,`id`) WHERE parent_id is null;--> statement-breakpoint
CREATE INDEX `comments_top_level_id_idx` ON `comments` (`thread_id`,`id`) WHERE parent_id is null;--> statement-breakpoint
CREATE INDEX `comments_parent_idx` ON `comments` (`parent_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_author_idx` ON `comments` (`author_id`);--> statement-breakpoint
CREATE INDEX `comments_reported_idx` ON `comments` (`id`) WHERE open_reports > 0;--> statement-breakpoint
CREATE TABLE `__new_policy_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`policy_id` integer NOT NULL,
	`version_id` integer,
	`author_id` integer,
	`anonymous` integer DEFAULT false NOT NULL,
	`reply_secret_hash` text,
	`token_id` text,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`rating` integer,
	`status` text DEFAULT 'new' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `policy_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_policy_feedback`("id", "policy_id", "version_id", "author_id", "anonymous", "reply_secret_hash", "token_id", "body", "body_html", "rating", "status", "created_at", "updated_at") SELECT "id", "policy_id", "version_id", CASE WHEN "anonymous" THEN NULL ELSE "author_id" END, "anonymous", NULL, NULL, "body", "body_html", "rating", "status", "created_at", "updated_at" FROM `policy_feedback`;--> statement-breakpoint
DROP TABLE `policy_feedback`;--> statement-breakpoint
ALTER TABLE `__new_policy_feedback` RENAME TO `policy_feedback`;--> statement-breakpoint
CREATE INDEX `policy_feedback_policy_idx` ON `policy_feedback` (`policy_id`,`id`);--> statement-breakpoint
CREATE INDEX `policy_feedback_author_idx` ON `policy_feedback` (`author_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `policy_feedback_secret_unique` ON `policy_feedback` (`reply_secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `policy_feedback_token_unique` ON `policy_feedback` (`token_id`);--> statement-breakpoint
ALTER TABLE `signatures` ADD `token_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `signatures_token_standing` ON `signatures` (`token_id`) WHERE token_id is not null and withdrawn_at is null;
--> statement-breakpoint
-- Forgetting (docs/anonymity.md, "Existing data"). Emails to anonymous signers and delivered emails
-- to hidden recipients leave the outbox: their recipients would name anonymous signers and authors.
DELETE FROM `outbox` WHERE `kind` LIKE 'signer.%' AND (`status` = 'sent' OR `to_address` IN (
  SELECT p.`email` FROM `signatures` s JOIN `people` p ON p.`id` = s.`person_id`
  WHERE s.`visibility` = 'anonymous' AND s.`petition_id` = `outbox`.`petition_id`));
--> statement-breakpoint
DELETE FROM `outbox` WHERE (`kind` LIKE 'comment.%' OR `kind` LIKE 'feedback.%') AND `status` = 'sent';
--> statement-breakpoint
-- Anonymous signatures on petitions that no longer take signatures lose their person at once: they
-- move to anonymous_signatures, keyed by the pseudonym their ledger entries already carry, dated by day.
INSERT INTO `anonymous_signatures` (`token_id`, `petition_id`, `standing`, `counted_at`, `changed_at`, `ledger_seq`, `ledger_hash`)
SELECT s.`ledger_signer`, s.`petition_id`,
  CASE WHEN s.`withdrawn_at` IS NULL AND s.`invalidated_at` IS NULL THEN 1 ELSE 0 END,
  s.`created_at` - (s.`created_at` % 86400000),
  COALESCE(s.`withdrawn_at`, s.`invalidated_at`, s.`created_at`) - (COALESCE(s.`withdrawn_at`, s.`invalidated_at`, s.`created_at`) % 86400000),
  s.`ledger_seq`, s.`ledger_hash`
FROM `signatures` s JOIN `petitions` p ON p.`id` = s.`petition_id`
WHERE s.`visibility` = 'anonymous' AND p.`state` IN ('closed', 'archived', 'rejected');
--> statement-breakpoint
DELETE FROM `signatures` WHERE `visibility` = 'anonymous' AND `petition_id` IN (
  SELECT `id` FROM `petitions` WHERE `state` IN ('closed', 'archived', 'rejected'));
--> statement-breakpoint
-- Their "why I'm signing" comments (written at the signature's exact time) lose their author and time.
UPDATE `comments` SET `author_id` = NULL, `emails_author` = 0, `created_at` = `created_at` - (`created_at` % 86400000)
WHERE `anonymous` = 1 AND `from_signature` = 1 AND `thread_id` IN (
  SELECT t.`id` FROM `comment_threads` t JOIN `petitions` p ON t.`subject_type` = 'petition' AND t.`subject_id` = p.`id`
  WHERE p.`state` IN ('closed', 'archived', 'rejected'));
