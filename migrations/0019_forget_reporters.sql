PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_comment_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`comment_id` integer NOT NULL,
	`reporter_id` integer,
	`reason` text NOT NULL,
	`note` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`resolved_at` integer,
	`resolution` text,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reporter_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_comment_reports`("id", "comment_id", "reporter_id", "reason", "note", "created_at", "resolved_at", "resolution") SELECT "id", "comment_id", "reporter_id", "reason", "note", "created_at", "resolved_at", "resolution" FROM `comment_reports`;--> statement-breakpoint
DROP TABLE `comment_reports`;--> statement-breakpoint
ALTER TABLE `__new_comment_reports` RENAME TO `comment_reports`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `comment_reports_once_per_person` ON `comment_reports` (`comment_id`,`reporter_id`) WHERE reporter_id is not null;--> statement-breakpoint
CREATE INDEX `comment_reports_open_idx` ON `comment_reports` (`comment_id`) WHERE resolved_at is null;--> statement-breakpoint
-- Hand-written (issue 17, finding 11): a resolved report forgets its reporter, and its exact time
-- (kept to the day), as resolving does from now on (discussion/rules.server.ts resolveReports).
UPDATE `comment_reports` SET `reporter_id` = NULL, `created_at` = `created_at` - (`created_at` % 86400000) WHERE `resolved_at` IS NOT NULL;
