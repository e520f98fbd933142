CREATE TABLE `former_addresses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`slug` text NOT NULL,
	`subject_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `former_addresses_kind_slug_unique` ON `former_addresses` (`kind`,`slug`);--> statement-breakpoint
CREATE INDEX `former_addresses_subject` ON `former_addresses` (`kind`,`subject_id`);