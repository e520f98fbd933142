ALTER TABLE `comment_threads` ADD `anonymous_batch_at` integer;--> statement-breakpoint
ALTER TABLE `comments` ADD `held` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `comments_held_idx` ON `comments` (`thread_id`,`created_at`) WHERE held = 1;