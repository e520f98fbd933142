CREATE TABLE `notification_reads` (
	`person_id` integer NOT NULL,
	`event_key` text NOT NULL,
	PRIMARY KEY(`person_id`, `event_key`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notification_settings` (
	`person_id` integer PRIMARY KEY NOT NULL,
	`cadence` text DEFAULT 'each' NOT NULL,
	`mailed_through` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `petition_follows` (
	`person_id` integer NOT NULL,
	`petition_id` integer NOT NULL,
	PRIMARY KEY(`person_id`, `petition_id`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade
);
