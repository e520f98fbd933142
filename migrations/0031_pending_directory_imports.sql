CREATE TABLE `pending_directory_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` integer NOT NULL,
	`csv` text NOT NULL,
	`deactivate_missing` integer NOT NULL,
	`plan_digest` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
