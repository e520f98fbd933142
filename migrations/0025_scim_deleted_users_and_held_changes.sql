CREATE TABLE `scim_held_changes` (
	`person_id` integer PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`user_name` text NOT NULL,
	`external_id` text,
	`relink` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `people` ADD `scim_deleted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `scim_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `people_scim_user_name_lower_idx` ON `people` (lower("scim_user_name"));