DROP INDEX `comments_parent_time_idx`;--> statement-breakpoint
ALTER TABLE `comments` ADD `held` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `comments_held_idx` ON `comments` (`thread_id`,`created_at`) WHERE held = 1;--> statement-breakpoint
CREATE INDEX `comments_parent_time_idx` ON `comments` (`parent_id`,`created_at`,`id`,`held`,`author_id`);--> statement-breakpoint
ALTER TABLE `comment_threads` ADD `anonymous_batch_at` integer;