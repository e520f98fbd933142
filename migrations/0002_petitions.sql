CREATE TABLE `ledger_entries` (
	`petition_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`event` text NOT NULL,
	`at` integer NOT NULL,
	`signer` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`petition_id`, `seq`),
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `milestone_defaults` (
	`threshold` integer PRIMARY KEY NOT NULL,
	`response_required` integer DEFAULT false NOT NULL,
	`response_days` integer
);
--> statement-breakpoint
CREATE TABLE `milestones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`petition_id` integer NOT NULL,
	`threshold` integer NOT NULL,
	`response_required` integer DEFAULT false NOT NULL,
	`response_days` integer,
	`reached_at` integer,
	`response_due_at` integer,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `milestones_petition_threshold_unique` ON `milestones` (`petition_id`,`threshold`);--> statement-breakpoint
CREATE TABLE `petition_co_sponsors` (
	`petition_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`petition_id`, `person_id`),
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `co_sponsors_person_idx` ON `petition_co_sponsors` (`person_id`);--> statement-breakpoint
CREATE TABLE `petitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`category` text,
	`state` text DEFAULT 'draft' NOT NULL,
	`creator_id` integer NOT NULL,
	`co_sponsors_required` integer NOT NULL,
	`open_for_days` integer NOT NULL,
	`rejection_reason` text,
	`rejection_note` text,
	`hidden_at` integer,
	`hidden_reason` text,
	`signature_count` integer DEFAULT 0 NOT NULL,
	`ledger_length` integer DEFAULT 0 NOT NULL,
	`ledger_head` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`submitted_at` integer,
	`opened_at` integer,
	`closes_at` integer,
	`closed_at` integer,
	`archived_at` integer,
	FOREIGN KEY (`creator_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `petitions_slug_unique` ON `petitions` (`slug`);--> statement-breakpoint
CREATE INDEX `petitions_state_count_idx` ON `petitions` (`state`,`signature_count`);--> statement-breakpoint
CREATE INDEX `petitions_state_opened_idx` ON `petitions` (`state`,`opened_at`);--> statement-breakpoint
CREATE INDEX `petitions_state_closes_idx` ON `petitions` (`state`,`closes_at`);--> statement-breakpoint
CREATE INDEX `petitions_creator_idx` ON `petitions` (`creator_id`);--> statement-breakpoint
CREATE TABLE `signatures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`petition_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`visibility` text NOT NULL,
	`reason` text,
	`wants_updates` integer DEFAULT false NOT NULL,
	`ip_hash` text,
	`ledger_seq` integer NOT NULL,
	`ledger_hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`withdrawn_at` integer,
	`invalidated_at` integer,
	`invalidation_reason` text,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signatures_one_per_person` ON `signatures` (`petition_id`,`person_id`) WHERE withdrawn_at is null;--> statement-breakpoint
CREATE INDEX `signatures_petition_created_idx` ON `signatures` (`petition_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `signatures_person_idx` ON `signatures` (`person_id`);--> statement-breakpoint
CREATE INDEX `signatures_petition_ip_idx` ON `signatures` (`petition_id`,`ip_hash`);--> statement-breakpoint
CREATE TABLE `site_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
