PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_comments` (
	`id` integer PRIMARY KEY NOT NULL,
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
INSERT INTO `__new_comments`("id", "thread_id", "parent_id", "depth", "in_reply_to_id", "author_id", "anonymous", "emails_author", "official", "from_signature", "body", "body_html", "score", "reply_count", "open_reports", "created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by_id", "hidden_reason") SELECT "id", "thread_id", "parent_id", "depth", "in_reply_to_id", "author_id", "anonymous", "emails_author", "official", "from_signature", "body", "body_html", "score", "reply_count", "open_reports", "created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by_id", "hidden_reason" FROM `comments`;--> statement-breakpoint
DROP TABLE `comments`;--> statement-breakpoint
ALTER TABLE `__new_comments` RENAME TO `comments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `comments_top_level_score_idx` ON `comments` (`thread_id`,`score`,`created_at`,`id`) WHERE parent_id is null;--> statement-breakpoint
CREATE INDEX `comments_top_level_time_idx` ON `comments` (`thread_id`,`created_at`,`id`) WHERE parent_id is null;--> statement-breakpoint
CREATE INDEX `comments_parent_time_idx` ON `comments` (`parent_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_author_idx` ON `comments` (`author_id`);--> statement-breakpoint
CREATE INDEX `comments_reported_idx` ON `comments` (`open_reports`,`created_at`,`id`) WHERE open_reports > 0;--> statement-breakpoint
CREATE TABLE `__new_policy_feedback` (
	`id` integer PRIMARY KEY NOT NULL,
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
INSERT INTO `__new_policy_feedback`("id", "policy_id", "version_id", "author_id", "anonymous", "reply_secret_hash", "token_id", "body", "body_html", "rating", "status", "created_at", "updated_at") SELECT "id", "policy_id", "version_id", "author_id", "anonymous", "reply_secret_hash", "token_id", "body", "body_html", "rating", "status", "created_at", "updated_at" FROM `policy_feedback`;--> statement-breakpoint
DROP TABLE `policy_feedback`;--> statement-breakpoint
ALTER TABLE `__new_policy_feedback` RENAME TO `policy_feedback`;--> statement-breakpoint
CREATE INDEX `policy_feedback_policy_time_idx` ON `policy_feedback` (`policy_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `policy_feedback_author_time_idx` ON `policy_feedback` (`author_id`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `policy_feedback_secret_unique` ON `policy_feedback` (`reply_secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `policy_feedback_token_unique` ON `policy_feedback` (`token_id`);--> statement-breakpoint
-- Hand-written (issue 17, finding 7): time order is now (created_at, id), so an anonymous comment's
-- stored time is its day, as it is shown: sorting by an exact time would place it among named ones as
-- its id did. Ids written before this migration keep their values (links and audit entries name them);
-- new comments and feedback get random ids (ADR 31).
UPDATE `comments` SET `created_at` = `created_at` - (`created_at` % 86400000), `edited_at` = `edited_at` - (`edited_at` % 86400000) WHERE `anonymous` = 1;
