CREATE TABLE `announcement_milestones` (
	`announcement_id` integer NOT NULL,
	`milestone_id` integer NOT NULL,
	PRIMARY KEY(`announcement_id`, `milestone_id`),
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`milestone_id`) REFERENCES `milestones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `announcement_milestones_milestone_idx` ON `announcement_milestones` (`milestone_id`);--> statement-breakpoint
CREATE TABLE `announcement_responses` (
	`announcement_id` integer NOT NULL,
	`petition_id` integer NOT NULL,
	`stance` text NOT NULL,
	PRIMARY KEY(`announcement_id`, `petition_id`),
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `announcement_responses_petition_idx` ON `announcement_responses` (`petition_id`);--> statement-breakpoint
CREATE TABLE `announcement_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`announcement_id` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`replaced_at` integer NOT NULL,
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `announcement_revisions_idx` ON `announcement_revisions` (`announcement_id`,`id`);--> statement-breakpoint
CREATE TABLE `announcements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`author_id` integer NOT NULL,
	`policy_id` integer,
	`policy_body` text,
	`policy_change_summary` text,
	`policy_effective_at` integer,
	`publish_at` integer,
	`published_at` integer,
	`updated_after_publishing_at` integer,
	`email_cursor` integer,
	`emails_done_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `announcements_slug_unique` ON `announcements` (`slug`);--> statement-breakpoint
CREATE INDEX `announcements_state_published_idx` ON `announcements` (`state`,`published_at`);--> statement-breakpoint
CREATE INDEX `announcements_due_idx` ON `announcements` (`state`,`publish_at`);--> statement-breakpoint
CREATE TABLE `commitment_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`commitment_id` integer NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`by_id` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitment_updates_idx` ON `commitment_updates` (`commitment_id`,`id`);--> statement-breakpoint
CREATE TABLE `commitments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`announcement_id` integer NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	`status` text DEFAULT 'planned' NOT NULL,
	`due_at` integer,
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `commitments_announcement_idx` ON `commitments` (`announcement_id`,`position`);--> statement-breakpoint
CREATE TABLE `milestone_reminders` (
	`milestone_id` integer NOT NULL,
	`kind` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`milestone_id`, `kind`),
	FOREIGN KEY (`milestone_id`) REFERENCES `milestones`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `policies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`owner_team` text,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`created_by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_slug_unique` ON `policies` (`slug`);--> statement-breakpoint
CREATE TABLE `policy_owners` (
	`policy_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	PRIMARY KEY(`policy_id`, `person_id`),
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `policy_owners_person_idx` ON `policy_owners` (`person_id`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`policy_id` integer NOT NULL,
	`version` integer NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`change_summary` text NOT NULL,
	`effective_at` integer NOT NULL,
	`published_by_id` integer,
	`published_at` integer NOT NULL,
	`announcement_id` integer,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_versions_number_unique` ON `policy_versions` (`policy_id`,`version`);--> statement-breakpoint
CREATE INDEX `policy_versions_effective_idx` ON `policy_versions` (`policy_id`,`effective_at`);--> statement-breakpoint
ALTER TABLE `petitions` ADD `policy_id` integer REFERENCES policies(id);